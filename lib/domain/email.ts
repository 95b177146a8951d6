import { describeVantage, type AlertVantage } from './alert-vantage';
import { formatDuration } from './duration';
import { escapeMarkup } from './format';
import { redactedUrl } from './public-view';
import type { EmailMessage } from './ports';
import type { MonitorConfig, MonitorStatus, Transition } from './types';

/** Longest subject we send; anything from config beyond it is cut. */
export const MAX_SUBJECT_LENGTH = 200;
/** Longest failure reason quoted in a body; a target can make the reason as long as it likes. */
export const MAX_REASON_LENGTH = 1000;
const MAX_NAME_IN_SUBJECT = 120;

export interface TransitionEmailInput {
  transition: Transition;
  monitor: MonitorConfig;
  /** How long the previous state lasted (for a recovery: the outage), null when unknown. */
  previousStateMs: number | null;
  from: string;
  to: string[];
  /** An outage's dependents whose latest check failed too (their alerts are held back): the email names them. */
  affected?: ReadonlyArray<{ id: string; name: string }>;
  /** Where an outage was seen from (multi-region confirmation): the email says so in one line. */
  vantage?: AlertVantage;
  /** The status page, when its URL is known: the email links to it. */
  statusPageUrl?: string;
}

/** Rendering was asked for a transition that, by `shouldNotify`, sends no email. */
export class UnnotifiableTransitionError extends Error {
  override readonly name = 'UnnotifiableTransitionError';
  constructor(readonly transition: Pick<Transition, 'monitorId' | 'from' | 'to'>) {
    super(`transition ${transition.from} -> ${transition.to} of '${transition.monitorId}' sends no email`);
  }
}

/**
 * Whether a transition is worth an alert: outages and recoveries are; the establishment of a new
 * monitor (UNKNOWN -> UP), a removal from the configuration (to UNKNOWN), and an outage held back
 * by a monitor it depends on (or the recovery of one never released: `heldBy`) are not.
 */
export function shouldNotify(transition: Pick<Transition, 'from' | 'to' | 'heldBy'>): boolean {
  if (transition.heldBy !== undefined) return false;
  return transition.to !== 'UNKNOWN' && !(transition.from === 'UNKNOWN' && transition.to === 'UP');
}

/**
 * The email for one outage or recovery. Pure. Throws `UnnotifiableTransitionError` for a
 * transition `shouldNotify` rejects, so an establishment can never be mailed by mistake.
 */
export function renderTransitionEmail(input: TransitionEmailInput): EmailMessage {
  const { transition, monitor, from, to } = input;
  if (!shouldNotify(transition)) throw new UnnotifiableTransitionError(transition);
  const facts = collectFacts(input);
  const subject = renderSubject(transition, monitor, input.previousStateMs);
  return {
    from,
    to: [...to],
    subject,
    text: renderText(facts),
    html: renderHtml(facts, subject),
  };
}

/** What both bodies say, as plain (unescaped) text. */
interface EmailFacts {
  headline: string;
  monitorName: string;
  monitorId: string;
  /** None for a monitor without a URL (a heartbeat, a test alert). */
  url: string | null;
  from: MonitorStatus;
  to: MonitorStatus;
  startedAt: string;
  confirmedAt: string;
  reason?: string;
  previousState: string;
  /** `Payments API, Checkout`: the dependents also down (an outage only), when there are any. */
  affected?: string;
  /** `Confirmed from 2 of 3 vantage points` and `us-east-1 (timeout), … failing; … reachable` (an outage only), when confirmed from several regions. */
  vantage?: { lead: string; detail: string };
  statusPageUrl?: string;
}

function collectFacts({ transition, monitor, previousStateMs, affected, vantage, statusPageUrl }: TransitionEmailInput): EmailFacts {
  const down = transition.to === 'DOWN';
  // One line each: a CR/LF in a name or a reason must not start a line of its own in the text body
  // (a forged "State:" or "Started:" line).
  const name = toSingleLine(monitor.name);
  return {
    headline: down ? `${name} is DOWN` : `${name} is UP again`,
    monitorName: name,
    monitorId: monitor.id,
    url: monitor.url === '' ? null : redactedUrl(monitor.url),
    from: transition.from,
    to: transition.to,
    startedAt: describeTime(transition.startedAt),
    confirmedAt: describeTime(transition.confirmedAt),
    ...(down ? { reason: capText(toSingleLine(transition.reason ?? 'not recorded'), MAX_REASON_LENGTH) } : {}),
    previousState: describePreviousState(transition, previousStateMs),
    ...(down && vantage !== undefined && vantage.points.length > 0 ? { vantage: describeVantage(vantage) } : {}),
    ...(down && affected !== undefined && affected.length > 0 ? { affected: describeAffected(affected) } : {}),
    ...(statusPageUrl === undefined ? {} : { statusPageUrl: toSingleLine(statusPageUrl) }),
  };
}

/** The names of the dependents also affected, one line each, in order: `Payments API, Checkout`. */
export function describeAffected(affected: ReadonlyArray<{ name: string }>): string {
  return affected.map((monitor) => capText(toSingleLine(monitor.name), MAX_NAME_IN_SUBJECT)).join(', ');
}

/** The text body's line that links the status page. */
export function statusPageLine(url: string): string {
  return `Status page: ${serializedUrl(url)}`;
}

/** The HTML body's paragraph that links the status page (a link only for an http(s) URL). */
export function statusPageParagraph(url: string): string {
  return `<p>Status page: ${renderUrl(serializedUrl(url))}</p>`;
}

/**
 * A URL as the URL standard serialises it, which percent-encodes what an href may not hold (a
 * quote or a space in the query: the Nu Html Checker's "Illegal character in query"); text that
 * is not a URL, made one line.
 */
function serializedUrl(url: string): string {
  const line = toSingleLine(url);
  return URL.canParse(line) ? new URL(line).href : line;
}

function renderSubject(transition: Transition, monitor: MonitorConfig, previousStateMs: number | null): string {
  const name = capText(toSingleLine(monitor.name), MAX_NAME_IN_SUBJECT);
  const subject =
    transition.to === 'DOWN'
      ? `[DOWN] ${name}`
      : previousStateMs === null
        ? `[UP] ${name} recovered`
        : `[UP] ${name} recovered after ${formatDuration(previousStateMs)}`;
  return capText(subject, MAX_SUBJECT_LENGTH);
}

function describePreviousState(transition: Transition, previousStateMs: number | null): string {
  if (transition.to === 'DOWN') {
    if (transition.from === 'UNKNOWN') {
      return 'It had not been confirmed up since monitoring began, so how long it was up before this is unknown.';
    }
    return previousStateMs === null
      ? 'How long it was up before this is unknown: no earlier state change is recorded.'
      : `It was up for ${formatDuration(previousStateMs)} before this.`;
  }
  return previousStateMs === null
    ? 'How long the outage lasted is unknown: its start is not recorded.'
    : `The outage lasted ${formatDuration(previousStateMs)}.`;
}

function renderText(facts: EmailFacts): string {
  const lines = [
    `${facts.headline}.`,
    '',
    `Monitor:   ${facts.monitorName} (${facts.monitorId})`,
    ...(facts.url === null ? [] : [`URL:       ${facts.url}`]),
    `State:     ${facts.to} (was ${facts.from})`,
    `Started:   ${facts.startedAt}`,
    `Confirmed: ${facts.confirmedAt}`,
    ...(facts.reason === undefined ? [] : [`Reason:    ${facts.reason}`]),
    '',
    ...(facts.vantage === undefined ? [] : [`${facts.vantage.lead}: ${facts.vantage.detail}`, '']),
    ...(facts.affected === undefined ? [] : [`Also affected: ${facts.affected}`, '']),
    facts.previousState,
    '',
    ...(facts.statusPageUrl === undefined ? [] : [statusPageLine(facts.statusPageUrl), '']),
    'Started is the first check of the streak that changed the state; confirmed is the check that crossed the threshold. Times are UTC.',
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The HTML body: a whole document (doctype, `lang`, charset, the subject as its title) that the Nu
 * Html Checker passes without errors or warnings (test/integration/email-html.test.ts). Styles are
 * inline, as email clients drop style sheets. The details are a data table, a header cell per row.
 */
function renderHtml(facts: EmailFacts, subject: string): string {
  const color = facts.to === 'DOWN' ? '#b42318' : '#067647';
  const rows: Array<[string, string]> = [
    ['Monitor', `${escapeHtmlText(facts.monitorName)} (${escapeHtmlText(facts.monitorId)})`],
    ...(facts.url === null ? [] : [['URL', renderUrl(facts.url)] as [string, string]]),
    ['State', `<strong style="color:${color}">${facts.to}</strong> (was ${facts.from})`],
    ['Started', escapeHtmlText(facts.startedAt)],
    ['Confirmed', escapeHtmlText(facts.confirmedAt)],
    // A reason can be one unbroken 1000-character word (a JSON value): let it wrap in its cell.
    ...(facts.reason === undefined ? [] : [['Reason', `<code style="overflow-wrap:anywhere">${escapeHtmlText(facts.reason)}</code>`] as [string, string]]),
  ];
  return renderEmailHtml({
    subject,
    color,
    headline: facts.headline,
    rows,
    paragraphs: [
      ...(facts.vantage === undefined ? [] : [`<p><strong>${escapeHtmlText(facts.vantage.lead)}:</strong> ${escapeHtmlText(facts.vantage.detail)}</p>`]),
      ...(facts.affected === undefined ? [] : [`<p><strong>Also affected:</strong> ${escapeHtmlText(facts.affected)}</p>`]),
      `<p>${escapeHtmlText(facts.previousState)}</p>`,
      ...(facts.statusPageUrl === undefined ? [] : [statusPageParagraph(facts.statusPageUrl)]),
      '<p style="color:#667085;font-size:small">Started is the first check of the streak that changed the state; ' +
        'confirmed is the check that crossed the threshold. Times are UTC.</p>',
    ],
  });
}

/**
 * An alert email's HTML document (a valid one: the Nu Html Checker passes it). `rows` are label
 * and value, the value already markup (escape it with escapeHtmlText); `paragraphs` follow the table.
 */
export function renderEmailHtml(input: { subject: string; color: string; headline: string; rows: Array<[string, string]>; paragraphs: string[] }): string {
  const tableRows = input.rows
    .map(([label, value]) => `<tr><th scope="row" style="text-align:left;vertical-align:top;padding:2px 12px 2px 0">${label}</th><td>${value}</td></tr>`)
    .join('\n');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtmlText(input.subject)}</title>`,
    '</head>',
    '<body style="font-family:sans-serif">',
    // h1 at the size the h2 had: the checker warns about a document whose headings start below h1.
    `<h1 style="color:${input.color};font-size:1.5em">${escapeHtmlText(input.headline)}</h1>`,
    `<table>\n${tableRows}\n</table>`,
    ...input.paragraphs,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * Code points HTML forbids in a document and escapeMarkup keeps (XML allows them): the C1 controls
 * and DEL, the noncharacters (U+FDD0-U+FDEF, U+xFFFE, U+xFFFF), and lone surrogates, which UTF-8
 * cannot encode. A target's reason can carry any of them; the Nu Html Checker reports each as an error.
 */
const FORBIDDEN_IN_HTML = /[\u007f-\u009f]|\p{Noncharacter_Code_Point}|\p{Surrogate}/gu;

/** Text for HTML element content or a quoted attribute: forbidden code points dropped, then escapeMarkup. */
export function escapeHtmlText(text: string): string {
  return escapeMarkup(text.replace(FORBIDDEN_IN_HTML, ''));
}

/** A link only for http(s) URLs; anything else is shown as text, never as an active href. */
function renderUrl(url: string): string {
  const escaped = escapeHtmlText(url);
  return /^https?:\/\//i.test(url) ? `<a href="${escaped}">${escaped}</a>` : escaped;
}

/** `2024-05-01T12:00:00.000Z (Wed, 01 May 2024 12:00:00 UTC)`; the raw text when it is not a time. */
export function describeTime(iso: string): string {
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return iso;
  return `${time.toISOString()} (${time.toUTCString().replace(/GMT$/, 'UTC')})`;
}

/** Control characters (CR, LF, tab, ...) and Unicode line separators become single spaces. */
/** One line: control and line-break characters become a space (a CR/LF must not start a forged line). */
export function toSingleLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ').replace(/ {2,}/g, ' ').trim();
}

/** Cuts text to at most `max` characters (code points), marking the cut with an ellipsis. */
/** At most `max` characters (code points, so no emoji is cut in half), with … when cut. */
export function capText(text: string, max: number): string {
  const characters = Array.from(text);
  if (characters.length <= max) return text;
  return `${characters.slice(0, max - 1).join('')}…`;
}
