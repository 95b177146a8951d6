import { Document, isAlias, isCollection, parseDocument, stringify, visit } from 'yaml';
import { parseMonitorsConfig } from '../../../lib/config/monitors';
import { isCredentialHeader } from '../../../lib/domain/config-secrets';
import { ConfigError } from '../../../lib/domain/errors';
import { MINUTE_MS, SECOND_MS } from '../../../lib/domain/time';

/** Something of the other tool's config that was not imported, or not as it was. */
export interface ImportNote {
  /** Where it is in the source: `endpoints[3] (api)`, `alerting.telegram`, `sites[0] (Google)`. */
  subject: string;
  /** The field or condition, when the note is about one and not the whole subject. */
  field?: string;
  reason: string;
}

export interface ImportResult {
  /** The monitors.yml text, with a header comment saying where it came from. */
  yaml: string;
  /** How many monitors the yaml holds. */
  imported: number;
  notes: ImportNote[];
}

/** Input an importer cannot read at all (not YAML or JSON, or not the tool's format); one line, naming the file. */
export class ImportError extends Error {
  override readonly name = 'ImportError';
  constructor(
    message: string,
    /** What was noted before the import gave up, for the report. */
    readonly notes: readonly ImportNote[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export const TOOL_LABELS = { gatus: 'Gatus', upptime: 'Upptime', kuma: 'Uptime Kuma' } as const;
export type ImportTool = keyof typeof TOOL_LABELS;

/** One note as a report line: `endpoints[3] (api) body: no request body here`. */
export function formatImportNote(note: ImportNote): string {
  return `${note.subject}${note.field === undefined ? '' : ` ${note.field}`}: ${note.reason}`;
}

/** The stderr report: how many monitors were imported, then one line per thing that was not. */
export function formatImportReport(tool: ImportTool, result: Pick<ImportResult, 'imported' | 'notes'>): string[] {
  const monitors = `${result.imported} monitor${result.imported === 1 ? '' : 's'}`;
  if (result.notes.length === 0) return [`imported ${monitors} from ${TOOL_LABELS[tool]}; everything was mapped`];
  const count = result.notes.length;
  return [
    `imported ${monitors} from ${TOOL_LABELS[tool]}; ${count} thing${count === 1 ? '' : 's'} could not be mapped as written:`,
    ...result.notes.map((note) => `  ${formatImportNote(note)}`),
  ];
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by the importers.

export type Mapping = Record<string, unknown>;

export function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The YAML text as a mapping; ImportError, one line naming the file, when it is not YAML or not a mapping. */
export function parseYamlMapping(text: string, fileName: string, notAMapping: string): Mapping {
  const document = parseDocument(text);
  const error = document.errors[0];
  if (error) throw new ImportError(`${fileName}: not valid YAML: ${error.message.split('\n')[0]?.replace(/:$/, '')}`, [], { cause: error });
  let value: unknown;
  try {
    value = document.toJS();
  } catch (cause) {
    // An alias bomb: the yaml library refuses to expand it.
    throw new ImportError(`${fileName}: not valid YAML: ${cause instanceof Error ? cause.message : String(cause)}`, [], { cause });
  }
  if (!isMapping(value)) throw new ImportError(`${fileName}: ${notAMapping}`);
  return value;
}

/** `Payments API (EU)` -> `payments-api-eu`: a monitors.yml id or channel name. */
export function slugify(text: string, fallback: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return slug === '' ? fallback : slug;
}

/** Hands out slugs, each once: a second `api` becomes `api-2`. */
export class SlugAllocator {
  private readonly taken = new Set<string>();
  constructor(reserved: readonly string[] = []) {
    reserved.forEach((name) => this.taken.add(name));
  }
  take(text: string, fallback: string): string {
    const base = slugify(text, fallback);
    let slug = base;
    for (let n = 2; this.taken.has(slug); n += 1) slug = `${base.slice(0, 63 - String(n).length - 1)}-${n}`;
    this.taken.add(slug);
    return slug;
  }
}

/** `API_TOKEN`-style environment variable name from any text. */
export function envName(...parts: string[]): string {
  const name = parts
    .join('_')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return /^[A-Z_]/.test(name) ? name : `_${name}`;
}

/** A duration in milliseconds as monitors.yml writes it: the largest unit that divides it (`2d`, `90m`, `1500ms`). */
export function formatMs(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', MINUTE_MS], ['s', SECOND_MS]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

const SUB_MINUTE_MS = [10_000, 15_000, 20_000, 30_000];
const MAX_INTERVAL_MS = 24 * 60 * MINUTE_MS;

/**
 * The nearest interval monitors.yml takes at or above `ms` (10s, 15s, 20s, 30s or whole minutes up
 * to 24h), and why it differs when it does.
 */
export function toInterval(ms: number): { value: string; reason?: string } {
  if (SUB_MINUTE_MS.includes(ms) || (ms % MINUTE_MS === 0 && ms >= MINUTE_MS && ms <= MAX_INTERVAL_MS)) return { value: formatMs(ms) };
  if (ms > MAX_INTERVAL_MS) return { value: '24h', reason: `${formatMs(ms)} is longer than the longest interval here (24h); written as 24h` };
  const next = SUB_MINUTE_MS.find((allowed) => allowed >= ms) ?? Math.ceil(ms / MINUTE_MS) * MINUTE_MS;
  return {
    value: formatMs(next),
    reason: `${formatMs(Math.round(ms))} is not an interval here (10s, 15s, 20s, 30s or whole minutes up to 24h); written as ${formatMs(next)}`,
  };
}

/**
 * A heartbeat that may be silent for `ms`: up to 24h it is the interval (grace as monitors.yml
 * defaults it); past 24h, the longest interval, the rest as grace (a ping every 26h: interval 24h,
 * grace 2h), so the job is not declared missing before its time.
 */
export function toHeartbeatTiming(ms: number): { interval: string; grace?: string; reason?: string } {
  if (ms <= MAX_INTERVAL_MS) {
    const interval = toInterval(ms);
    return { interval: interval.value, ...(interval.reason ? { reason: interval.reason } : {}) };
  }
  const graceMs = Math.ceil((ms - MAX_INTERVAL_MS) / MINUTE_MS) * MINUTE_MS;
  const maxGraceMs = 7 * 86_400_000;
  if (graceMs > maxGraceMs) {
    return { interval: '24h', grace: '7d', reason: `${formatMs(ms)} is longer than the longest heartbeat wait here (interval 24h + grace 7d); written as that` };
  }
  return { interval: '24h', grace: formatMs(graceMs) };
}

/** A timeout within monitors.yml's 100ms to 30s. */
export function toTimeout(ms: number): { value: string; reason?: string } {
  if (ms >= 100 && ms <= 30_000) return { value: formatMs(Math.round(ms)) };
  const value = ms < 100 ? 100 : 30_000;
  return { value: formatMs(value), reason: `${formatMs(Math.round(ms))} is outside the timeouts allowed here (100ms to 30s); written as ${formatMs(value)}` };
}

/** `Authorization`, `Cookie`, `X-Api-Key`...: written as a secret reference, never as a literal. */
export { isCredentialHeader };

/** Every HTTP status from `from` to `to`, within 100 to 599. */
export function statusRange(from: number, to: number): number[] {
  const codes: number[] = [];
  for (let code = Math.max(100, from); code <= Math.min(599, to); code += 1) codes.push(code);
  return codes;
}

// ---------------------------------------------------------------------------------------------
// Building monitors.yml: every part checked with the same validation as a hand-written file.

/** A monitor as the importer made it, keys in the order they should be written. */
export interface MonitorDraft {
  subject: string;
  monitor: Mapping;
  /** Status page group name, if the source put the monitor in one. */
  group?: string;
}

export interface ChannelDraft {
  subject: string;
  name: string;
  channel: Mapping;
}

export interface BuildInput {
  tool: ImportTool;
  fileName: string;
  /** From the source when it has an email sender and recipients; otherwise placeholders are written (and noted). */
  notify?: { from?: string; to?: string[]; subject: string };
  channels: ChannelDraft[];
  defaults?: Mapping;
  monitors: MonitorDraft[];
  statusPage?: { subject: string; title?: string; description?: string; url?: string; announcements?: Array<{ subject: string; announcement: Mapping }> };
  /** Maintenance windows; monitors are named by draft subject and written as the ids they got. */
  maintenance?: Array<{ subject: string; window: Mapping; monitorSubjects?: string[] }>;
  /** Lines for the header comment, after where it came from. */
  comments?: string[];
  notes: ImportNote[];
}

const PLACEHOLDER_NOTIFY = { from: 'uptime@example.com', to: ['oncall@example.com'] };

/** The message of parsing a one-monitor file, or undefined when it is valid. */
function validationError(document: Mapping): string | undefined {
  try {
    parseMonitorsConfig(stringify(document), 'monitors.yml');
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return error.message.replace(/^monitors\.yml: /, '');
    throw error;
  }
}

const PROBE_MONITOR = { id: 'probe', url: 'https://example.com' };

/**
 * Assembles monitors.yml. Each channel, monitor and status page field is validated on its own: a
 * field the validation refuses is left out (noted with the validation's message); a monitor whose
 * URL or type is refused is left out whole (noted). The result parses as a hand-written file does.
 */
export function buildMonitorsYaml(input: BuildInput): ImportResult {
  const notes = input.notes;
  const notify = { ...PLACEHOLDER_NOTIFY };
  const sourceNotify = input.notify;
  if (sourceNotify?.from !== undefined && validationError({ notify: { from: sourceNotify.from, to: notify.to }, monitors: [PROBE_MONITOR] }) === undefined) {
    notify.from = sourceNotify.from;
  } else {
    notes.push({
      subject: sourceNotify?.subject ?? 'notify',
      field: 'from',
      reason:
        sourceNotify?.from === undefined
          ? `${TOOL_LABELS[input.tool]} gives no email sender; notify.from is written as ${PLACEHOLDER_NOTIFY.from}: set your SES-verified sender`
          : `${JSON.stringify(sourceNotify.from)} is not an email address; notify.from is written as ${PLACEHOLDER_NOTIFY.from}: set your SES-verified sender`,
    });
  }
  const validTo = (sourceNotify?.to ?? []).filter((address) => validationError({ notify: { from: notify.from, to: [address] }, monitors: [PROBE_MONITOR] }) === undefined);
  const badTo = (sourceNotify?.to ?? []).filter((address) => !validTo.includes(address));
  if (badTo.length > 0) notes.push({ subject: sourceNotify?.subject ?? 'notify', field: 'to', reason: `not an email address, left out: ${badTo.join(', ')}` });
  if (validTo.length > 0) {
    notify.to = validTo;
  } else {
    notes.push({
      subject: sourceNotify?.subject ?? 'notify',
      field: 'to',
      reason: `${TOOL_LABELS[input.tool]} gives no email recipient; notify.to is written as [${PLACEHOLDER_NOTIFY.to[0]}]: set who gets the email alerts`,
    });
  }

  const channels: Mapping = {};
  for (const draft of input.channels) {
    const error = validationError({ notify, channels: { [draft.name]: draft.channel }, monitors: [PROBE_MONITOR] });
    if (error === undefined) channels[draft.name] = draft.channel;
    else notes.push({ subject: draft.subject, reason: `not imported: ${error}` });
  }

  let defaults = input.defaults;
  if (defaults !== undefined) {
    const error = validationError({ notify, channels, defaults, monitors: [PROBE_MONITOR] });
    if (error !== undefined) {
      notes.push({ subject: 'defaults', reason: `not imported: ${error}` });
      defaults = undefined;
    }
  }

  const monitors: Mapping[] = [];
  const groups = new Map<string, string[]>();
  const idOf = new Map<string, string>();
  const knownChannels = new Set(['email', ...Object.keys(channels)]);
  for (const draft of input.monitors) {
    // A channel that was not imported is taken out of the alerts (left in, the monitor would fall back to [email]).
    const alerts = draft.monitor.alerts;
    if (Array.isArray(alerts) && alerts.some((name) => !knownChannels.has(String(name)))) {
      const lost = alerts.filter((name) => !knownChannels.has(String(name)));
      notes.push({ subject: draft.subject, field: 'alerts', reason: `channel ${lost.map((name) => `'${String(name)}'`).join(', ')} was not imported; left out` });
      draft.monitor.alerts = alerts.filter((name) => knownChannels.has(String(name)));
    }
    const monitor = fitMonitor(draft, { notify, channels, ...(defaults ? { defaults } : {}) }, notes);
    if (monitor === undefined) continue;
    monitors.push(monitor);
    idOf.set(draft.subject, monitor.id as string);
    if (draft.group !== undefined) groups.set(draft.group, [...(groups.get(draft.group) ?? []), monitor.id as string]);
  }

  const statusPage: Mapping = {};
  const page = input.statusPage;
  for (const field of ['title', 'description', 'url'] as const) {
    const value = page?.[field];
    if (value === undefined) continue;
    const error = validationError({ notify, monitors: [PROBE_MONITOR], statusPage: { [field]: value } });
    if (error === undefined) statusPage[field] = value;
    else notes.push({ subject: page?.subject ?? 'statusPage', field, reason: `not imported: ${error.replace(/^statusPage\.\w+: /, '')}` });
  }
  const announcements = (page?.announcements ?? []).filter(({ subject, announcement }) => {
    const error = validationError({ notify, monitors: [PROBE_MONITOR], statusPage: { announcements: [announcement] } });
    if (error !== undefined) notes.push({ subject, reason: `not imported: ${error.replace(/^statusPage\.announcements\[0\]\.?/, '')}` });
    return error === undefined;
  });
  if (announcements.length > 0) statusPage.announcements = announcements.map(({ announcement }) => announcement);
  if (groups.size > 0) statusPage.groups = [...groups].map(([name, ids]) => ({ name: name.slice(0, 200), monitors: ids }));

  const maintenance: Mapping[] = [];
  for (const { subject, window, monitorSubjects } of input.maintenance ?? []) {
    const ids = monitorSubjects?.flatMap((name) => idOf.get(name) ?? []);
    if (ids !== undefined && ids.length === 0) {
      notes.push({ subject, reason: 'not imported: none of its monitors was imported' });
      continue;
    }
    const entry = ids === undefined ? window : { name: window.name, monitors: ids, ...Object.fromEntries(Object.entries(window).filter(([key]) => key !== 'name')) };
    const error = validationError({ notify, channels, ...(defaults ? { defaults } : {}), monitors: monitors.length > 0 ? monitors : [PROBE_MONITOR], maintenance: [entry] });
    if (error === undefined) maintenance.push(entry);
    else notes.push({ subject, reason: `not imported: ${error.replace(/^maintenance\[0\](?: \([^)]*\))?\.?/, '')}` });
  }

  shareStatusLists(monitors);
  const file: Mapping = { notify };
  if (Object.keys(channels).length > 0) file.channels = channels;
  if (defaults !== undefined) file.defaults = defaults;
  file.monitors = monitors;
  if (maintenance.length > 0) file.maintenance = maintenance;
  if (Object.keys(statusPage).length > 0) file.statusPage = statusPage;

  const header = [
    `monitors.yml imported from ${TOOL_LABELS[input.tool]} (${input.fileName}) by \`uptime-monitor import ${input.tool}\`.`,
    `${monitors.length} monitor${monitors.length === 1 ? '' : 's'} imported; ${notes.length} thing${notes.length === 1 ? '' : 's'} could not be mapped as written (see the import report).`,
    ...(input.comments ?? []),
  ];
  return { yaml: renderYaml(file, header), imported: monitors.length, notes };
}

/** Equal expect.status lists become one object, so the YAML writes the list once (an anchor) and refers to it. */
function shareStatusLists(monitors: Mapping[]): void {
  const seen = new Map<string, unknown[]>();
  for (const monitor of monitors) {
    const expect = monitor.expect;
    if (!isMapping(expect) || !Array.isArray(expect.status) || expect.status.length < 10) continue;
    const key = expect.status.join(',');
    const first = seen.get(key);
    if (first) monitor.expect = { ...expect, status: first };
    else seen.set(key, expect.status);
  }
}

/** Fields that are never left out to make a monitor valid: without them it is not the same monitor. */
const ESSENTIAL_FIELDS = new Set(['id', 'type', 'url', 'token']);

function fitMonitor(draft: MonitorDraft, context: Mapping, notes: ImportNote[]): Mapping | undefined {
  const monitor: Mapping = { ...draft.monitor };
  // A field refused is left out and the monitor checked again; each pass removes one field.
  for (let pass = 0; pass < 20; pass += 1) {
    const error = validationError({ ...context, monitors: [monitor] });
    if (error === undefined) return monitor;
    const match = /^monitors\[0\](?: \([^)]*\))?\.([A-Za-z]+)[^:]*: (.*)$/.exec(error);
    const field = match?.[1];
    if (field === undefined || ESSENTIAL_FIELDS.has(field) || !(field in monitor)) {
      notes.push({ subject: draft.subject, reason: `not imported: ${error.replace(/^monitors\[0\](?: \([^)]*\))?\./, '')}` });
      return undefined;
    }
    notes.push({ subject: draft.subject, field, reason: `left out: ${match?.[2] ?? error}` });
    delete monitor[field];
  }
  notes.push({ subject: draft.subject, reason: 'not imported: too many fields were refused' });
  return undefined;
}

/**
 * The YAML text: a header comment, blank lines between top-level sections and between monitors,
 * short lists of scalars on one line, and a list used by many monitors written once (an anchor).
 */
function renderYaml(file: Mapping, header: string[]): string {
  const document = new Document(file, { aliasDuplicateObjects: true });
  document.commentBefore = header.map((line) => ` ${line}`).join('\n');
  const anchors = new Map<string, string>();
  visit(document, {
    Seq(_key, node) {
      if (node.items.every((item) => !isCollection(item))) node.flow = true;
      if (node.anchor !== undefined) {
        const codes = node.items.map((item) => Number((item as { value?: unknown }).value));
        const name = codes.every(Number.isInteger) && codes.length > 1 ? `status-${codes[0]}-${codes.at(-1)}` : `list-${anchors.size + 1}`;
        anchors.set(node.anchor, name);
        node.anchor = name;
      }
    },
    Map(_key, node) {
      // Secret references read as the README writes them: `{ env: NAME }`.
      const keys = node.items.map((pair) => String((pair.key as { value?: unknown }).value));
      if (['env', 'ssm', 'secretsManager'].includes(keys[0] ?? '') && node.items.every((pair) => !isCollection(pair.value))) node.flow = true;
    },
    Alias(_key, node) {
      if (isAlias(node)) node.source = anchors.get(node.source) ?? node.source;
    },
  });
  const monitors = document.get('monitors', true);
  if (isCollection(monitors)) monitors.items.forEach((item, index) => {
    if (index > 0 && isCollection(item)) item.spaceBefore = true;
  });
  for (const key of ['channels', 'defaults', 'monitors', 'maintenance', 'statusPage']) {
    const pair = isCollection(document.contents) ? document.contents.items.find((entry) => (entry as { key?: { value?: unknown } }).key?.value === key) : undefined;
    const keyNode = (pair as { key?: { spaceBefore?: boolean } } | undefined)?.key;
    if (keyNode) keyNode.spaceBefore = true;
  }
  return document.toString({ lineWidth: 0, flowCollectionPadding: false });
}

// ---------------------------------------------------------------------------------------------
// Secrets: placeholders become `env` references, literal credentials never reach monitors.yml.

export type SecretValueDraft = string | { env: string };

const WHOLE_PLACEHOLDER = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/;
const ANY_PLACEHOLDER = /\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g;

/** The variable names of `$NAME` / `${NAME}` placeholders in a text. */
export function placeholders(text: string): string[] {
  return [...text.matchAll(ANY_PLACEHOLDER)].map((match) => match[1] as string);
}

export interface SecretOptions {
  subject: string;
  field: string;
  /** The variable to write when the value is a literal credential or holds placeholders among other text. */
  fallbackEnv: string;
  /** The value is a credential: a literal is written as a reference too. */
  credential: boolean;
  /** The source file's name, for the note. */
  fileName: string;
  notes: ImportNote[];
}

/**
 * A value that may hold a secret: `$NAME` or `${NAME}` alone becomes `{ env: NAME }`; placeholders
 * among other text, or a literal credential, become `{ env: fallbackEnv }` with a note saying what
 * to set it to. Anything else stays as written.
 */
export function toSecretValue(value: string, options: SecretOptions): SecretValueDraft {
  const whole = WHOLE_PLACEHOLDER.exec(value.trim());
  if (whole) return { env: whole[1] as string };
  const inside = placeholders(value);
  if (inside.length > 0) {
    options.notes.push({
      subject: options.subject,
      field: options.field,
      reason:
        `holds ${inside.map((name) => `$${name}`).join(', ')} inside other text, and a reference here stands for a whole value; ` +
        `written as { env: ${options.fallbackEnv} }: set ${options.fallbackEnv} to ${JSON.stringify(value)} with the secret filled in`,
    });
    return { env: options.fallbackEnv };
  }
  if (options.credential) {
    options.notes.push({
      subject: options.subject,
      field: options.field,
      reason: `a credential, kept out of monitors.yml: written as { env: ${options.fallbackEnv} }; set ${options.fallbackEnv} to the value in ${options.fileName} (or use an ssm or secretsManager reference)`,
    });
    return { env: options.fallbackEnv };
  }
  return value;
}

/** `tcp://host:port`, with brackets around an IPv6 address. */
export function tcpUrl(host: string, port: number | string): string {
  return `tcp://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}

/** A JSON path's expected value as monitors.yml compares it: `true`, `42` and `null` as such, anything else as text. */
export function coerceExpected(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === 'true') return true;
  if (trimmed === 'false') return false;
  if (trimmed === 'null') return null;
  if (/^-?(0|[1-9]\d*)(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const quoted = /^"(.*)"$/.exec(trimmed);
  return quoted ? quoted[1] : trimmed;
}

/** Notes a source object's fields that were not read, each with the same reason. */
export function noteUnread(source: Mapping, read: readonly string[], subject: string, reason: (field: string) => string, notes: ImportNote[]): void {
  for (const field of Object.keys(source)) {
    if (!read.includes(field) && source[field] !== undefined && source[field] !== null) notes.push({ subject, field, reason: reason(field) });
  }
}
