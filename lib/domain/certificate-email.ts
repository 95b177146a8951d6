import { daysLeft, describeExpiry, describeThreshold, type CertificateWarning } from './certificate';
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
import type { MonitorConfig } from './types';

export interface CertificateEmailInput {
  warning: CertificateWarning;
  monitor: MonitorConfig;
  from: string;
  to: string[];
  /** The status page, when its URL is known: the email links to it. */
  statusPageUrl?: string;
}

/** The email warning that a certificate expires soon: `[CERT] Shop certificate expires in 3 days`. Pure. */
export function renderCertificateEmail({ warning, monitor, from, to, statusPageUrl }: CertificateEmailInput): EmailMessage {
  const name = toSingleLine(monitor.name);
  const expiry = describeExpiry(daysLeft(warning.certificate.expiresAt, Date.parse(warning.tick)));
  const headline = `${name} certificate ${expiry}`;
  const subject = capText(`[CERT] ${headline}`, MAX_SUBJECT_LENGTH);
  // Issuer and subject come from the target's certificate: one line and capped, as a failure reason.
  const fromTarget = (text: string) => capText(toSingleLine(text), MAX_REASON_LENGTH);
  const rows: Array<[string, string]> = [
    ['Monitor', `${name} (${monitor.id})`],
    ...(monitor.url === '' ? [] : [['URL', redactedUrl(monitor.url)] as [string, string]]),
    ['Expires', describeTime(warning.certificate.expiresAt)],
    ['Warning', `${describeThreshold(warning.thresholdMs)} before expiry (once per certificate)`],
    ['Issuer', fromTarget(warning.certificate.issuer)],
    ['Subject', fromTarget(warning.certificate.subject)],
    ['SHA-256', warning.certificate.fingerprint],
  ];
  const note = 'Renew the certificate: a renewed one is watched afresh. The monitor stays up until it expires.';
  const text = [
    headline,
    '',
    ...rows.map(([label, value]) => `${`${label}:`.padEnd(11)}${value}`),
    '',
    note,
    ...(statusPageUrl === undefined ? [] : ['', statusPageLine(statusPageUrl)]),
    '',
  ].join('\n');
  const html = renderEmailHtml({
    subject,
    color: '#b54708',
    headline,
    rows: rows.map(([label, value]) => [label, label === 'SHA-256' ? `<code style="overflow-wrap:anywhere">${escapeHtmlText(value)}</code>` : escapeHtmlText(value)]),
    paragraphs: [
      `<p>${escapeHtmlText(note)}</p>`,
      ...(statusPageUrl === undefined ? [] : [statusPageParagraph(statusPageUrl)]),
      '<p style="color:#667085;font-size:small">Times are UTC.</p>',
    ],
  });
  return { from, to: [...to], subject, text, html };
}
