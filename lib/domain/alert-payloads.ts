import type { Alert, AlertKind, CertificateAlert, OutageAlert } from './alert';
import { describeVantage } from './alert-vantage';
import { describeExpiry } from './certificate';
import { formatDuration } from './duration';
import { MAX_REASON_LENGTH } from './email';
import { SECOND_MS } from './time';

/**
 * What each channel sends for an alert: the bodies of Slack, Discord and Teams messages, the
 * webhook's body, PagerDuty's event and the SNS subject and message. Pure: the adapters only
 * serialise and send what these return.
 *
 * A monitor's name comes from monitors.yml and its failure reason from whatever the target answered,
 * so both are treated as hostile: made one line, capped, and escaped for each service's markup
 * (Slack's `&`, `<`, `>`; Discord's Markdown; Teams gets them in TextRuns, which are never parsed
 * as Markdown). Caps are counted in UTF-16 code units, the strictest reading of "characters".
 */

/** Longest monitor name quoted; monitors.yml refuses longer ones, this keeps the renderers total. */
export const MAX_ALERT_NAME_LENGTH = 200;

/** Slack Block Kit: a header's plain_text, a section's text, one section field; our cap on the fallback `text`. */
export const SLACK_LIMITS = { header: 150, sectionText: 3000, field: 2000, fallbackText: 3000 } as const;
/** Discord embeds: title, description, field name and value, and all of one message's embed text together. */
export const DISCORD_LIMITS = { title: 256, description: 4096, fieldName: 256, fieldValue: 1024, fields: 25, total: 6000 } as const;
/** PagerDuty Events API v2: payload.summary and dedup_key. */
export const PAGERDUTY_LIMITS = { summary: 1024, dedupKey: 255 } as const;
/** SNS Publish: a Subject is printable ASCII, one line, less than 100 characters. */
export const SNS_SUBJECT_MAX_LENGTH = 99;

// ---------------------------------------------------------------------------------------------
// What every channel says

/** The facts of one alert as plain, one-line, capped text (no markup escaped yet). */
interface AlertFacts {
  kind: AlertKind;
  /** `Payments API is DOWN`, `… is UP again`, `… is still DOWN`. */
  headline: string;
  /** `[DOWN]`, `[UP]`, `[STILL DOWN]`: the subject's tag. */
  tag: string;
  name: string;
  id: string;
  url: string | null;
  /** `DOWN (was UP)`. */
  state: string;
  /** The reason, one line and capped; null for a recovery. */
  reason: string | null;
  /** What the duration means here, and the duration itself (null when unknown). */
  duration: { label: string; text: string } | null;
  startedAt: string;
  confirmedAt: string;
  /** `Payments API, Checkout`: the dependents also down, each name one line and capped; null unless an outage names some. */
  affected: string | null;
  /**
   * Where an outage was seen from (multi-region confirmation): a lead (`Confirmed from 2 of 3
   * vantage points`, `Seen from 1 of 3 vantage points only`) and the detail (`us-east-1
   * (http-status), eu-west-1 (timeout) failing; ap-southeast-1 reachable`), one line and capped;
   * null unless an outage carries vantage points.
   */
  vantage: { lead: string; detail: string } | null;
}

const HEADLINE_SUFFIX: Record<AlertKind, string> = {
  'monitor.down': 'is DOWN',
  'monitor.up': 'is UP again',
  'monitor.reminder': 'is still DOWN',
  'certificate.expiring': 'certificate expires soon',
};

const TAG: Record<AlertKind, string> = {
  'monitor.down': '[DOWN]',
  'monitor.up': '[UP]',
  'monitor.reminder': '[STILL DOWN]',
  'certificate.expiring': '[CERT]',
};

function collectFacts(alert: OutageAlert): AlertFacts {
  const name = fitText(toSingleLine(alert.monitor.name), MAX_ALERT_NAME_LENGTH);
  const recovery = alert.kind === 'monitor.up';
  return {
    kind: alert.kind,
    headline: `${name} ${HEADLINE_SUFFIX[alert.kind]}`,
    tag: TAG[alert.kind],
    name,
    id: alert.monitor.id,
    url: alert.monitor.url,
    state: `${alert.state} (was ${alert.previousState})`,
    reason: recovery ? null : fitText(toSingleLine(alert.reason ?? 'not recorded'), MAX_REASON_LENGTH),
    duration: describeDuration(alert),
    startedAt: describeInstant(alert.startedAt),
    confirmedAt: describeInstant(alert.confirmedAt),
    affected: describeAffected(alert),
    vantage: alert.kind === 'monitor.down' && alert.vantage !== undefined && alert.vantage.points.length > 0 ? describeVantage(alert.vantage) : null,
  };
}

/** An outage's dependents also down, by name (from monitors.yml: one line each and capped), or null. */
function describeAffected(alert: OutageAlert): string | null {
  if (alert.kind !== 'monitor.down' || alert.affected === undefined || alert.affected.length === 0) return null;
  return alert.affected.map((monitor) => fitText(toSingleLine(monitor.name), MAX_ALERT_NAME_LENGTH)).join(', ');
}

/** What `previousStateSeconds` means for each kind of alert, in words. */
function describeDuration(alert: OutageAlert): AlertFacts['duration'] {
  if (alert.previousStateSeconds === null) return null;
  const text = formatDuration(alert.previousStateSeconds * SECOND_MS);
  switch (alert.kind) {
    case 'monitor.down':
      return { label: `${alert.previousState} before`, text };
    case 'monitor.up':
      return { label: 'Outage lasted', text };
    case 'monitor.reminder':
      return { label: 'Down for', text };
  }
}

/** The facts of a certificate warning, one line and capped: a headline and labelled values. */
interface CertificateFacts {
  /** `Shop certificate expires in 3 days`. */
  headline: string;
  name: string;
  id: string;
  url: string | null;
  expires: string;
  daysLeft: string;
  threshold: string;
  issuer: string;
  subject: string;
  fingerprint: string;
}

function collectCertificateFacts(alert: CertificateAlert): CertificateFacts {
  const name = fitText(toSingleLine(alert.monitor.name), MAX_ALERT_NAME_LENGTH);
  const { certificate } = alert;
  return {
    headline: `${name} certificate ${describeExpiry(certificate.daysLeft)}`,
    name,
    id: alert.monitor.id,
    url: alert.monitor.url,
    expires: describeInstant(certificate.expiresAt),
    daysLeft: String(Math.max(0, certificate.daysLeft)),
    threshold: `${alert.threshold} before expiry`,
    // From the target's certificate: as hostile as a failure reason.
    issuer: fitText(toSingleLine(certificate.issuer), MAX_REASON_LENGTH),
    subject: fitText(toSingleLine(certificate.subject), MAX_REASON_LENGTH),
    fingerprint: certificate.fingerprint,
  };
}

/** A certificate warning's labelled values, in the order every channel shows them. */
function certificateRows(facts: CertificateFacts): Array<[string, string]> {
  return [
    ['Monitor', `${facts.name} (${facts.id})`],
    ...(facts.url === null ? [] : [['URL', facts.url] as [string, string]]),
    ['Expires', facts.expires],
    ['Days left', facts.daysLeft],
    ['Warning', facts.threshold],
    ['Issuer', facts.issuer],
    ['Subject', facts.subject],
    ['SHA-256', facts.fingerprint],
  ];
}

/** `2024-05-04 16:00:10 UTC`; the text as given when it is not a time. */
function describeInstant(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return toSingleLine(iso);
  const text = new Date(ms).toISOString();
  return `${text.slice(0, 10)} ${text.slice(11, 19)} UTC`;
}

/** The lines every plain-text rendering shows (SNS, Slack's fallback). */
function plainLines(facts: AlertFacts): string[] {
  return [
    `Monitor: ${facts.name} (${facts.id})`,
    ...(facts.url === null ? [] : [`URL: ${facts.url}`]),
    `State: ${facts.state}`,
    ...(facts.duration === null ? [] : [`${facts.duration.label}: ${facts.duration.text}`]),
    `Started: ${facts.startedAt}`,
    `Confirmed: ${facts.confirmedAt}`,
    ...(facts.reason === null ? [] : [`Reason: ${facts.reason}`]),
    ...(facts.vantage === null ? [] : [`${facts.vantage.lead}: ${facts.vantage.detail}`]),
    ...(facts.affected === null ? [] : [`Also affected: ${facts.affected}`]),
  ];
}

// ---------------------------------------------------------------------------------------------
// Slack: an incoming webhook's `text` (notifications, clients without blocks) and Block Kit blocks

export interface SlackText {
  type: 'plain_text' | 'mrkdwn';
  text: string;
}
export type SlackBlock =
  | { type: 'header'; text: SlackText }
  | { type: 'section'; text?: SlackText; fields?: SlackText[] }
  | { type: 'context'; elements: SlackText[] };
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** Slack's three control characters, as its formatting reference asks them escaped in mrkdwn. */
const SLACK_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
function escapeSlack(char: string): string {
  return SLACK_ESCAPES[char] ?? char;
}

/** The incoming-webhook body for one alert. */
export function renderSlackMessage(alert: Alert): SlackMessage {
  const field = (label: string, value: string) => ({
    type: 'mrkdwn' as const,
    text: `*${label}*\n${fitText(value, SLACK_LIMITS.field - label.length - 3, { escape: escapeSlack })}`,
  });
  if (alert.kind === 'certificate.expiring') {
    const facts = collectCertificateFacts(alert);
    const blocks: SlackBlock[] = [
      { type: 'header', text: { type: 'plain_text', text: fitText(facts.headline, SLACK_LIMITS.header) } },
      // A section holds at most 10 fields.
      { type: 'section', fields: certificateRows(facts).map(([label, value]) => field(label, value)) },
    ];
    if (alert.statusPageUrl !== undefined) {
      blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `<${slackLinkTarget(alert.statusPageUrl)}|Status page>` }] });
    }
    return { text: fitText(`${TAG[alert.kind]} ${facts.headline}`, SLACK_LIMITS.fallbackText, { escape: escapeSlack }), blocks };
  }
  const facts = collectFacts(alert);
  const fields = [
    field('Monitor', `${facts.name} (${facts.id})`),
    field('State', facts.state),
    ...(facts.duration === null ? [] : [field(facts.duration.label, facts.duration.text)]),
    field('Started', facts.startedAt),
    field('Confirmed', facts.confirmedAt),
    ...(facts.url === null ? [] : [field('URL', facts.url)]),
  ];
  const blocks: SlackBlock[] = [
    // plain_text is not parsed for links or mentions, so the name needs no escaping here.
    { type: 'header', text: { type: 'plain_text', text: fitText(facts.headline, SLACK_LIMITS.header) } },
    { type: 'section', fields },
  ];
  if (facts.reason !== null) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Reason*\n${fitText(facts.reason, SLACK_LIMITS.sectionText - 11, { escape: escapeSlack })}` } });
  }
  if (facts.vantage !== null) {
    const lead = `*${fitText(facts.vantage.lead, 100, { escape: escapeSlack })}*\n`;
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `${lead}${fitText(facts.vantage.detail, SLACK_LIMITS.sectionText - lead.length, { escape: escapeSlack })}` } });
  }
  if (facts.affected !== null) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Also affected*\n${fitText(facts.affected, SLACK_LIMITS.sectionText - 18, { escape: escapeSlack })}` } });
  }
  if (alert.statusPageUrl !== undefined) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `<${slackLinkTarget(alert.statusPageUrl)}|Status page>` }] });
  }
  const fallback = `${facts.tag} ${facts.headline}${facts.reason === null ? '' : `: ${facts.reason}`}`;
  return { text: fitText(fallback, SLACK_LIMITS.fallbackText, { escape: escapeSlack }), blocks };
}

/** A URL inside `<…|…>`: the control characters escaped, and `|`, which would end the URL, percent-encoded. */
function slackLinkTarget(url: string): string {
  return Array.from(toSingleLine(url), (char) => (char === '|' ? '%7C' : escapeSlack(char))).join('');
}

// ---------------------------------------------------------------------------------------------
// Discord: an execute-webhook body with one embed; no mention in it may ping anyone

export interface DiscordEmbed {
  title: string;
  description?: string;
  url?: string;
  color: number;
  fields: Array<{ name: string; value: string; inline: boolean }>;
  timestamp: string;
}
export interface DiscordMessage {
  embeds: DiscordEmbed[];
  /** `parse: []`: neither @everyone, @here, a role nor a user is pinged, whatever the text holds. */
  allowed_mentions: { parse: never[] };
}

/** Red, green and orange. */
export const DISCORD_COLORS: Record<AlertKind, number> = {
  'monitor.down': 0xd92d20,
  'monitor.up': 0x12b76a,
  'monitor.reminder': 0xf79009,
  'certificate.expiring': 0xfdb022,
};

/**
 * Discord's inline Markdown: emphasis, code, spoilers, masked links `[text](url)`, and `<…>`
 * mentions and timestamps. A backslash shows each as itself. Block syntax (`#`, `>`, `-`, `1.`)
 * applies only at the start of a line, and quoted text never starts one.
 */
function escapeDiscord(char: string): string {
  return /[\\*_~`|<>[\]()]/.test(char) ? `\\${char}` : char;
}

/** The execute-webhook body for one alert. */
export function renderDiscordMessage(alert: Alert): DiscordMessage {
  const field = (name: string, value: string, inline = true) => ({
    name,
    value: fitText(value, DISCORD_LIMITS.fieldValue, { escape: escapeDiscord }),
    inline,
  });
  if (alert.kind === 'certificate.expiring') {
    const facts = collectCertificateFacts(alert);
    const embed: DiscordEmbed = {
      title: fitText(facts.headline, DISCORD_LIMITS.title, { escape: escapeDiscord }),
      ...(alert.statusPageUrl === undefined ? {} : { url: alert.statusPageUrl }),
      color: DISCORD_COLORS[alert.kind],
      fields: certificateRows(facts).map(([label, value]) => field(label, value, !['URL', 'Issuer', 'Subject', 'SHA-256'].includes(label))),
      timestamp: alert.timestamp,
    };
    return { embeds: [embed], allowed_mentions: { parse: [] } };
  }
  const facts = collectFacts(alert);
  const fields = [
    field('Monitor', `${facts.name} (${facts.id})`),
    field('State', facts.state),
    ...(facts.duration === null ? [] : [field(facts.duration.label, facts.duration.text)]),
    field('Started', facts.startedAt),
    field('Confirmed', facts.confirmedAt),
    ...(facts.url === null ? [] : [field('URL', facts.url, false)]),
    ...(facts.vantage === null ? [] : [field(fitText(facts.vantage.lead, DISCORD_LIMITS.fieldName), facts.vantage.detail, false)]),
    ...(facts.affected === null ? [] : [field('Also affected', facts.affected, false)]),
  ];
  const embed: DiscordEmbed = {
    title: fitText(facts.headline, DISCORD_LIMITS.title, { escape: escapeDiscord }),
    // The reason, escaped (up to twice its length): at most 2,000 of the 6,000 an embed may hold.
    ...(facts.reason === null ? {} : { description: `**Reason:** ${fitText(facts.reason, 2 * MAX_REASON_LENGTH, { escape: escapeDiscord })}` }),
    ...(alert.statusPageUrl === undefined ? {} : { url: alert.statusPageUrl }),
    color: DISCORD_COLORS[alert.kind],
    fields,
    timestamp: alert.timestamp,
  };
  return { embeds: [embed], allowed_mentions: { parse: [] } };
}

/** The characters Discord counts against an embed's 6,000. */
export function discordEmbedLength(embed: DiscordEmbed): number {
  return embed.title.length + (embed.description?.length ?? 0) + embed.fields.reduce((sum, field) => sum + field.name.length + field.value.length, 0);
}

// ---------------------------------------------------------------------------------------------
// Microsoft Teams: a Workflows ("When a Teams webhook request is received") body with an Adaptive Card

export type AdaptiveElement =
  | { type: 'RichTextBlock'; inlines: AdaptiveTextRun[] }
  | { type: 'FactSet'; facts: Array<{ title: string; value: string }> };
export interface AdaptiveTextRun {
  type: 'TextRun';
  text: string;
  weight?: 'Bolder';
  size?: 'Large';
  color?: 'Attention' | 'Good' | 'Warning';
}
export interface AdaptiveCard {
  $schema: string;
  type: 'AdaptiveCard';
  version: string;
  body: AdaptiveElement[];
  actions?: Array<{ type: 'Action.OpenUrl'; title: string; url: string }>;
}
export interface TeamsMessage {
  type: 'message';
  attachments: Array<{ contentType: 'application/vnd.microsoft.card.adaptive'; contentUrl: null; content: AdaptiveCard }>;
}

export const ADAPTIVE_CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
/** 1.4: what Teams renders on every client; RichTextBlock (1.2) and Action.OpenUrl are in it. */
export const ADAPTIVE_CARD_VERSION = '1.4';

const TEAMS_COLORS: Record<AlertKind, AdaptiveTextRun['color']> = {
  'monitor.down': 'Attention',
  'monitor.up': 'Good',
  'monitor.reminder': 'Warning',
  'certificate.expiring': 'Warning',
};

/**
 * The Workflows body for one alert. Text that comes from monitors.yml or the target (the name, the
 * URL, the reason) goes in TextRuns, which Adaptive Cards never parse as Markdown; a FactSet's
 * values may be, so it holds only text this code made (id, state, times, durations).
 */
export function renderTeamsMessage(alert: Alert): TeamsMessage {
  const line = (label: string, value: string): AdaptiveElement => ({
    type: 'RichTextBlock',
    inlines: [
      { type: 'TextRun', text: `${label}: `, weight: 'Bolder' },
      { type: 'TextRun', text: value },
    ],
  });
  const body = alert.kind === 'certificate.expiring' ? teamsCertificateBody(alert, line) : teamsOutageBody(alert, line);
  const content: AdaptiveCard = {
    $schema: ADAPTIVE_CARD_SCHEMA,
    type: 'AdaptiveCard',
    version: ADAPTIVE_CARD_VERSION,
    body,
    ...(alert.statusPageUrl === undefined ? {} : { actions: [{ type: 'Action.OpenUrl' as const, title: 'Status page', url: alert.statusPageUrl }] }),
  };
  return { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content }] };
}

/** A certificate warning's card: the name, URL, issuer and subject (not ours) in TextRuns; our own values in a FactSet. */
function teamsCertificateBody(alert: CertificateAlert, line: (label: string, value: string) => AdaptiveElement): AdaptiveElement[] {
  const facts = collectCertificateFacts(alert);
  return [
    { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: facts.headline, weight: 'Bolder', size: 'Large', color: TEAMS_COLORS[alert.kind] }] },
    line('Monitor', facts.name),
    ...(facts.url === null ? [] : [line('URL', facts.url)]),
    {
      type: 'FactSet',
      facts: [
        { title: 'Monitor id', value: facts.id },
        { title: 'Expires', value: facts.expires },
        { title: 'Days left', value: facts.daysLeft },
        { title: 'Warning', value: facts.threshold },
        { title: 'SHA-256', value: facts.fingerprint },
      ],
    },
    line('Issuer', facts.issuer),
    line('Subject', facts.subject),
  ];
}

function teamsOutageBody(alert: OutageAlert, line: (label: string, value: string) => AdaptiveElement): AdaptiveElement[] {
  const facts = collectFacts(alert);
  return [
    { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: facts.headline, weight: 'Bolder', size: 'Large', color: TEAMS_COLORS[alert.kind] }] },
    line('Monitor', facts.name),
    ...(facts.url === null ? [] : [line('URL', facts.url)]),
    {
      type: 'FactSet',
      facts: [
        { title: 'Monitor id', value: facts.id },
        { title: 'State', value: facts.state },
        ...(facts.duration === null ? [] : [{ title: facts.duration.label, value: facts.duration.text }]),
        { title: 'Started', value: facts.startedAt },
        { title: 'Confirmed', value: facts.confirmedAt },
      ],
    },
    ...(facts.reason === null ? [] : [line('Reason', facts.reason)]),
    ...(facts.vantage === null ? [] : [line(facts.vantage.lead, facts.vantage.detail)]),
    ...(facts.affected === null ? [] : [line('Also affected', facts.affected)]),
  ];
}

// ---------------------------------------------------------------------------------------------
// Webhook: the documented contract, signed by the adapter (Standard Webhooks)

export type WebhookBody = OutageWebhookBody | CertificateWebhookBody;

/** `certificate.expiring`: a monitor's certificate is within one of its `warnBefore` thresholds. */
export interface CertificateWebhookBody {
  type: 'certificate.expiring';
  timestamp: string;
  data: {
    monitor: { id: string; name: string; url: string | null };
    certificate: CertificateAlert['certificate'];
    /** The threshold crossed, as monitors.yml writes it (`3d`). */
    threshold: string;
  };
}

export interface OutageWebhookBody {
  type: OutageAlert['kind'];
  timestamp: string;
  data: {
    monitor: { id: string; name: string; url: string | null };
    state: OutageAlert['state'];
    previousState: OutageAlert['previousState'];
    startedAt: string;
    confirmedAt: string;
    reason: string | null;
    previousStateSeconds: number | null;
    /**
     * `monitor.down` only, when there are any: the monitors that depend on this one and whose
     * latest check failed too, in configuration order. Their own outages send no alert while this
     * one lasts. Left out otherwise, so a body without dependents is the one it always was.
     */
    affected?: Array<{ id: string; name: string }>;
    /**
     * `monitor.down` only, when confirmed from several regions (monitors.yml `confirm`): every
     * vantage point's check of the failure, the home region first, as the API gives them: `ok`
     * null when it abstained (`reason` then says why, `latencyMs` is null), `reason` null when it
     * passed. Left out otherwise, so a body without confirmation is the one it always was.
     */
    vantage?: WebhookVantage[];
  };
}

/** One vantage point in a webhook body (the API's `Vantage`). */
export interface WebhookVantage {
  region: string;
  ok: boolean | null;
  reason: string | null;
  latencyMs: number | null;
}

/**
 * The webhook's body: exactly these fields. Values are data, not markup: nothing is escaped or made
 * one line; only the reason is capped (as in emails), which keeps a body far under the 20 KB the
 * Standard Webhooks specification recommends.
 */
export function renderWebhookBody(alert: OutageAlert): OutageWebhookBody;
export function renderWebhookBody(alert: CertificateAlert): CertificateWebhookBody;
export function renderWebhookBody(alert: Alert): WebhookBody;
export function renderWebhookBody(alert: Alert): WebhookBody {
  if (alert.kind === 'certificate.expiring') {
    return {
      type: alert.kind,
      timestamp: alert.timestamp,
      data: { monitor: { ...alert.monitor }, certificate: { ...alert.certificate }, threshold: alert.threshold },
    };
  }
  return {
    type: alert.kind,
    timestamp: alert.timestamp,
    data: {
      monitor: { id: alert.monitor.id, name: alert.monitor.name, url: alert.monitor.url },
      state: alert.state,
      previousState: alert.previousState,
      startedAt: alert.startedAt,
      confirmedAt: alert.confirmedAt,
      reason: alert.reason === null ? null : fitText(alert.reason, MAX_REASON_LENGTH),
      previousStateSeconds: alert.previousStateSeconds,
      ...(alert.kind === 'monitor.down' && alert.affected !== undefined && alert.affected.length > 0
        ? { affected: alert.affected.map(({ id, name }) => ({ id, name })) }
        : {}),
      ...(alert.kind === 'monitor.down' && alert.vantage !== undefined && alert.vantage.points.length > 0
        ? {
            vantage: alert.vantage.points.map(
              (point): WebhookVantage => ({
                region: point.region,
                ok: point.ok,
                reason: point.reason === undefined ? null : fitText(point.reason, MAX_REASON_LENGTH),
                latencyMs: point.latencyMs ?? null,
              }),
            ),
          }
        : {}),
    },
  };
}

/**
 * Whether `text` is a Standard Webhooks symmetric signing secret: `whsec_` followed by the base64
 * (standard alphabet `A-Z a-z 0-9 + /`, `=` padding optional) of 24 to 64 bytes, the specification's
 * "at least 24 bytes (192 bits, 512 maximum)". `openssl rand -base64 32` after `whsec_` makes one.
 */
export function isWebhookSecret(text: string): boolean {
  const match = /^whsec_([A-Za-z0-9+/]+)(=*)$/.exec(text);
  if (!match) return false;
  const [, digits, padding] = match as unknown as [string, string, string];
  if (digits.length % 4 === 1) return false;
  // Padding, when given, is exactly what completes the last group of four.
  if (padding.length > 0 && padding.length !== (4 - (digits.length % 4)) % 4) return false;
  const bytes = Math.floor((digits.length * 6) / 8);
  return bytes >= 24 && bytes <= 64;
}

// ---------------------------------------------------------------------------------------------
// PagerDuty Events API v2

export interface PagerDutyTrigger {
  routing_key: string;
  event_action: 'trigger';
  dedup_key: string;
  payload: {
    summary: string;
    source: string;
    severity: 'critical' | 'warning';
    timestamp: string;
    component: string;
    custom_details: Record<string, string | number | null>;
  };
  links?: Array<{ href: string; text: string }>;
}
export interface PagerDutyResolve {
  routing_key: string;
  event_action: 'resolve';
  dedup_key: string;
}
export type PagerDutyEvent = PagerDutyTrigger | PagerDutyResolve;

/**
 * The event for one alert. An outage and its reminders trigger with the outage's key, which
 * PagerDuty applies to the one open alert (a reminder adds a log entry, never a second incident);
 * a recovery resolves it.
 */
export function renderPagerDutyEvent(alert: Alert, routingKey: string): PagerDutyEvent {
  if (alert.kind === 'certificate.expiring') return renderPagerDutyCertificateEvent(alert, routingKey);
  if (alert.kind === 'monitor.up') return { routing_key: routingKey, event_action: 'resolve', dedup_key: alert.outageKey };
  const facts = collectFacts(alert);
  const summary = `${facts.headline}${facts.duration === null || alert.kind === 'monitor.down' ? '' : ` (for ${facts.duration.text})`}: ${facts.reason ?? ''}`;
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: alert.outageKey,
    payload: {
      summary: fitText(summary, PAGERDUTY_LIMITS.summary),
      source: pagerDutySource(alert),
      severity: 'critical',
      timestamp: alert.confirmedAt,
      component: alert.monitor.id,
      custom_details: {
        monitor: `${facts.name} (${facts.id})`,
        url: alert.monitor.url,
        state: facts.state,
        started_at: alert.startedAt,
        confirmed_at: alert.confirmedAt,
        previous_state_seconds: alert.previousStateSeconds,
        reason: facts.reason,
        ...(facts.affected === null ? {} : { also_affected: facts.affected }),
        ...(facts.vantage === null ? {} : { vantage: `${facts.vantage.lead}: ${facts.vantage.detail}` }),
      },
    },
    ...(alert.statusPageUrl === undefined ? {} : { links: [{ href: alert.statusPageUrl, text: 'Status page' }] }),
  };
}

/**
 * A certificate warning: a `warning` trigger with a dedup_key of its own per certificate and
 * threshold (the alert's key), so it never joins an outage's incident and a retry adds nothing.
 */
function renderPagerDutyCertificateEvent(alert: CertificateAlert, routingKey: string): PagerDutyTrigger {
  const facts = collectCertificateFacts(alert);
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: fitText(alert.key, PAGERDUTY_LIMITS.dedupKey, { ellipsis: '' }),
    payload: {
      summary: fitText(`${facts.headline} (${facts.expires})`, PAGERDUTY_LIMITS.summary),
      source: pagerDutySource(alert),
      severity: 'warning',
      timestamp: alert.timestamp,
      component: alert.monitor.id,
      custom_details: {
        monitor: `${facts.name} (${facts.id})`,
        url: alert.monitor.url,
        expires_at: alert.certificate.expiresAt,
        days_left: alert.certificate.daysLeft,
        threshold: alert.threshold,
        issuer: facts.issuer,
        subject: facts.subject,
        fingerprint: alert.certificate.fingerprint,
      },
    },
    ...(alert.statusPageUrl === undefined ? {} : { links: [{ href: alert.statusPageUrl, text: 'Status page' }] }),
  };
}

/** PagerDuty asks for "the unique location of the affected system, preferably a hostname": the URL's host, else the monitor's id. */
function pagerDutySource(alert: Alert): string {
  if (alert.monitor.url !== null && URL.canParse(alert.monitor.url)) {
    const host = new URL(alert.monitor.url).host;
    if (host !== '') return host;
  }
  return alert.monitor.id;
}

// ---------------------------------------------------------------------------------------------
// SNS: a Subject (email subscribers see it) and a plain-text Message (every protocol gets it)

export interface SnsNotice {
  subject: string;
  message: string;
}

/** The subject and message for one alert. */
export function renderSnsNotice(alert: Alert): SnsNotice {
  if (alert.kind === 'certificate.expiring') {
    const facts = collectCertificateFacts(alert);
    const lines = [
      `${facts.headline}.`,
      '',
      ...certificateRows(facts).map(([label, value]) => `${label}: ${value}`),
      ...(alert.statusPageUrl === undefined ? [] : ['', `Status page: ${alert.statusPageUrl}`]),
    ];
    return { subject: fitText(toPrintableAscii(`${TAG[alert.kind]} ${facts.headline}`), SNS_SUBJECT_MAX_LENGTH, { ellipsis: '...' }), message: `${lines.join('\n')}\n` };
  }
  const facts = collectFacts(alert);
  const subject = `${facts.tag} ${facts.headline}${facts.duration === null || alert.kind === 'monitor.down' ? '' : ` (${facts.duration.text})`}`;
  const lines = [`${facts.headline}.`, '', ...plainLines(facts), ...(alert.statusPageUrl === undefined ? [] : ['', `Status page: ${alert.statusPageUrl}`])];
  return { subject: fitText(toPrintableAscii(subject), SNS_SUBJECT_MAX_LENGTH, { ellipsis: '...' }), message: `${lines.join('\n')}\n` };
}

/**
 * Printable ASCII only: accents are dropped from the letters that carry them (`München` reads
 * `Munchen`), anything else without an ASCII form becomes `?`; never starts with a space.
 */
function toPrintableAscii(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '?')
    .trimStart();
}

// ---------------------------------------------------------------------------------------------
// Text helpers

/** Control characters (CR, LF, tab, ...) and Unicode line separators become single spaces. */
function toSingleLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/ {2,}/g, ' ').trim();
}

/**
 * `text` with each character escaped by `escape`, cut so that the result is at most `max` UTF-16
 * code units long, the cut marked with `ellipsis`. It cuts between characters, never inside an
 * escape (`&am…`) or a surrogate pair.
 */
export function fitText(text: string, max: number, options: { escape?: (char: string) => string; ellipsis?: string } = {}): string {
  const { escape = (char: string) => char, ellipsis = '…' } = options;
  const pieces = Array.from(text, escape);
  const full = pieces.join('');
  if (full.length <= max) return full;
  let length = 0;
  let end = 0;
  while (end < pieces.length && length + pieces[end]!.length <= max - ellipsis.length) {
    length += pieces[end]!.length;
    end += 1;
  }
  return `${pieces.slice(0, end).join('')}${ellipsis}`;
}
