import { z } from 'zod';
import { quoteInput } from '../domain/errors';
import { DAY_MS, MINUTE_MS } from '../domain/time';
import { DEFAULT_WINDOW, PUBLIC_WINDOW_NAMES, rangeBetween, WINDOW_NAMES, type RangeRequest } from '../domain/time-range';
import { BadRequestError } from './errors';

/**
 * The query parameters of every route as zod schemas: `parseQuery` turns API Gateway's strings into
 * typed values, and lib/http/openapi.ts documents the same schemas. Every refusal is a 400 whose
 * message names the parameter and quotes what was sent, worded as the API always has.
 */

/** Query string parameters as API Gateway hands them over (decoded; repeated ones joined by commas). */
export type QueryParameters = Readonly<Record<string, string | undefined>>;

export const DEFAULT_INCIDENT_LIMIT = 20;
export const MAX_INCIDENT_LIMIT = 100;
export const DEFAULT_DAY_COUNT = 90;
/** The most days `/daily` gives: the transitions' default retention. It reads transitions only, whatever the count. */
export const MAX_DAY_COUNT = 400;
/**
 * The longest time range `from`/`to` may span: 400 days, as long as daily rollups and transitions
 * are kept by default, so any year fits in one request. Its check counts and response times come
 * from daily rollups (one item per 16 monitors a day) and the hourly rollups of its two cut days
 * (api.test.ts and `npm run bench -- --api` measure the read units). Longer periods: /report, a
 * calendar month at a time.
 */
export const MAX_RANGE_DAYS = 400;

/** A whole number from `min` to `max` written in plain digits (no sign, fraction, exponent or space). */
function wholeNumber(name: string, min: number, max: number, defaultValue: number, description: string) {
  const refusal = (text: unknown) => `${name} must be a whole number from ${min} to ${max}, got ${quoteInput(String(text))}`;
  return z
    .preprocess((text, context) => {
      const value = typeof text === 'string' && /^\d{1,3}$/.test(text) ? Number(text) : Number.NaN;
      if (value >= min && value <= max) return value;
      context.addIssue({ code: 'custom', message: refusal(text), input: text });
      return text;
    }, z.int().min(min).max(max))
    .default(defaultValue)
    .meta({ default: defaultValue, description });
}

/** One of `names`, refused with the list of them. */
function oneOf<const Names extends readonly [string, ...string[]]>(name: string, names: Names) {
  return z.enum(names, { error: (issue) => `${name} must be one of ${names.join(', ')}, got ${quoteInput(String(issue.input))}` });
}

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):(\d{2})))?$/;

/**
 * A query time as epoch milliseconds: ISO-8601 `2024-05-01T10:00:00Z`, with optional seconds and
 * fraction and `Z` or a `+02:00` style offset, or a bare date `2024-05-01` (UTC midnight). A time
 * without a zone is refused: it would depend on the server's. Calendar and clock fields are checked
 * (no 30 February, no 24:00), which `Date.parse` alone does not do.
 */
function queryTime(name: 'from' | 'to') {
  return z.string().transform((text, context) => {
    const match = ISO_TIME.exec(text);
    if (!match) {
      context.addIssue({ code: 'custom', message: `${name} must be an ISO-8601 time with a time zone such as 2024-05-01T00:00:00Z, got ${quoteInput(text)}` });
      return z.NEVER;
    }
    const [, year, month, day, hour, minute, second, fraction = '', , sign, offsetHour, offsetMinute] = match;
    const [y, mo, d, h, mi, s, oh, om] = [year, month, day, hour, minute, second, offsetHour, offsetMinute].map(
      (field) => Number(field ?? '0'),
    ) as [number, number, number, number, number, number, number, number];
    const daysInMonth = mo >= 1 && mo <= 12 ? new Date(Date.UTC(y, mo, 0)).getUTCDate() : 0;
    if (d < 1 || d > daysInMonth || h > 23 || mi > 59 || s > 59 || oh > 23 || om > 59) {
      context.addIssue({ code: 'custom', message: `${name} is not a valid date and time: ${quoteInput(text)}` });
      return z.NEVER;
    }
    const offsetMs = (sign === '-' ? -1 : 1) * (oh * 60 + om) * MINUTE_MS;
    const utc = new Date(0);
    utc.setUTCFullYear(y, mo - 1, d);
    utc.setUTCHours(h, mi, s, Number(fraction.padEnd(3, '0').slice(0, 3)));
    return utc.getTime() - offsetMs;
  });
}

/** `?window=` or `?from=&to=` of `/monitors/{id}/uptime`, as documented. */
export const UptimeQuerySchema = z.object({
  window: oneOf('window', WINDOW_NAMES)
    .optional()
    .meta({ description: 'A window ending now, default 24h. Not together with from and to.', default: DEFAULT_WINDOW }),
  from: queryTime('from')
    .optional()
    .meta({
      description:
        `Start, ISO-8601 with a zone or a date (UTC midnight); with to, at most ${MAX_RANGE_DAYS} days before it (any year fits). ` +
        'For a longer period, ask /report a month at a time.',
    }),
  to: queryTime('to').optional().meta({ description: 'End, as from.' }),
});

/**
 * The uptime query parsed: the combination is checked first (either window or both from and to),
 * then each parameter, then the range (from before to, at most MAX_RANGE_DAYS days).
 */
export const UptimeSelectionSchema = z
  .preprocess((query, context) => {
    const { window, from, to } = (query ?? {}) as QueryParameters;
    const hasRange = from !== undefined || to !== undefined;
    const refuse = (message: string) => context.addIssue({ code: 'custom', message, input: query });
    if (window !== undefined && hasRange) refuse('give either window or from and to, not both');
    else if (hasRange && from === undefined) refuse('from is missing: from and to must be given together');
    else if (hasRange && to === undefined) refuse('to is missing: from and to must be given together');
    return query;
  }, UptimeQuerySchema)
  .transform((query, context): RangeRequest => {
    if (query.from === undefined || query.to === undefined) return { window: query.window ?? DEFAULT_WINDOW };
    const { from: fromMs, to: toMs } = query;
    if (fromMs >= toMs) context.addIssue({ code: 'custom', message: 'from must be before to' });
    else if (toMs - fromMs > MAX_RANGE_DAYS * DAY_MS) {
      const days = Math.ceil((toMs - fromMs) / DAY_MS);
      context.addIssue({
        code: 'custom',
        message: `from and to must be at most ${MAX_RANGE_DAYS} days apart, got about ${days} days; for a longer period use /report?month=YYYY-MM, a month at a time`,
      });
    }
    return rangeBetween(fromMs, toMs);
  });

export const IncidentsQuerySchema = z.object({
  limit: wholeNumber('limit', 1, MAX_INCIDENT_LIMIT, DEFAULT_INCIDENT_LIMIT, 'How many incidents, newest first.'),
});

export const DailyQuerySchema = z.object({
  days: wholeNumber('days', 1, MAX_DAY_COUNT, DEFAULT_DAY_COUNT, 'How many UTC days, today last.'),
});

export const ReportQuerySchema = z.object({
  format: z
    .enum(['json', 'csv'], { error: (issue) => `format must be csv or json, got ${quoteInput(String(issue.input))}` })
    .optional()
    .meta({ description: 'JSON by default; CSV also for an Accept header asking for text/csv.' }),
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: (issue) => `month must be written YYYY-MM, such as 2024-05, got ${quoteInput(String(issue.input))}` })
    .optional()
    .meta({ description: 'The month, YYYY-MM; the current one (up to now) by default. A month not begun yet is refused.' }),
});

export const BadgeQuerySchema = z.object({
  window: oneOf('window', PUBLIC_WINDOW_NAMES).default(DEFAULT_WINDOW).meta({ description: 'The window the badge covers, ending now.' }),
});

export const MonitorPathSchema = z.object({
  id: z.string().meta({ description: 'The monitor id from monitors.yml.' }),
});

/** The query parsed by `schema`; a BadRequestError naming the first wrong parameter otherwise. */
export function parseQuery<Schema extends z.ZodType>(schema: Schema, query: QueryParameters): z.output<Schema> {
  const result = schema.safeParse(query);
  if (result.success) return result.data;
  throw new BadRequestError(result.error.issues[0]?.message ?? 'bad query');
}

export type ReportFormat = 'json' | 'csv';

/** `format=csv|json` wins; otherwise an Accept header that asks for text/csv gets CSV, anything else JSON. */
export function chooseReportFormat(format: ReportFormat | undefined, accept: string | undefined): ReportFormat {
  if (format !== undefined) return format;
  const wantsCsv = (accept ?? '')
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .some((part) => part.startsWith('text/csv') && !/;\s*q=0(\.0*)?\s*(;|$)/.test(part));
  return wantsCsv ? 'csv' : 'json';
}
