import { formatDuration } from './duration';
import {
  capText,
  describeTime,
  escapeHtmlText,
  MAX_REASON_LENGTH,
  MAX_SUBJECT_LENGTH,
  renderEmailHtml,
  statusPageLine,
  statusPageParagraph,
  toSingleLine,
} from './email';
import type { EmailMessage } from './ports';
import { redactedUrl } from './public-view';
import type { Reminder } from './reminders';
import { MINUTE_MS } from './time';
import type { MonitorConfig } from './types';

export interface ReminderEmailInput {
  reminder: Reminder;
  monitor: MonitorConfig;
  from: string;
  to: string[];
  /** The status page, when its URL is known: the email links to it. */
  statusPageUrl?: string;
}

/** The email repeating an outage's alert while it lasts: `[DOWN] Payments API is still down after 2h`. Pure. */
export function renderReminderEmail({ reminder, monitor, from, to, statusPageUrl }: ReminderEmailInput): EmailMessage {
  const name = toSingleLine(monitor.name);
  const downMs = Math.max(0, Date.parse(reminder.tick) - Date.parse(reminder.outageStartedAt));
  // In whole minutes: checks run on the minute and are dated a moment after it (5m, not 5m 59s).
  const lasted = formatDuration(downMs < MINUTE_MS ? downMs : Math.floor(downMs / MINUTE_MS) * MINUTE_MS);
  const subject = capText(`[DOWN] ${name} is still down after ${lasted}`, MAX_SUBJECT_LENGTH);
  const reason = capText(toSingleLine(reminder.reason ?? 'not recorded'), MAX_REASON_LENGTH);
  const rows: Array<[string, string]> = [
    ['Monitor', `${name} (${monitor.id})`],
    ...(monitor.url === '' ? [] : [['URL', redactedUrl(monitor.url)] as [string, string]]),
    ['State', `DOWN for ${lasted}`],
    ['Down since', describeTime(reminder.outageStartedAt)],
    ['Reason', reason],
    ['Reminder', `#${reminder.number}, every ${formatDuration(monitor.remindEveryMs ?? 0)} until it recovers`],
  ];
  const text = [
    `${name} is still DOWN`,
    '',
    ...rows.map(([label, value]) => `${`${label}:`.padEnd(11)}${value}`),
    ...(statusPageUrl === undefined ? [] : ['', statusPageLine(statusPageUrl)]),
    '',
  ].join('\n');
  const html = renderEmailHtml({
    subject,
    color: '#b42318',
    headline: `${name} is still DOWN`,
    rows: rows.map(([label, value]) => [label, label === 'Reason' ? `<code style="overflow-wrap:anywhere">${escapeHtmlText(value)}</code>` : escapeHtmlText(value)]),
    paragraphs: [
      ...(statusPageUrl === undefined ? [] : [statusPageParagraph(statusPageUrl)]),
      '<p style="color:#667085;font-size:small">Times are UTC.</p>',
    ],
  });
  return { from, to: [...to], subject, text, html };
}
