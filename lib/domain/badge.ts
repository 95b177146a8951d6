import { escapeMarkup, formatPercent } from './format';
import { DAY_MS } from './time';
import type { MonitorStatus } from './types';

/**
 * README badges: a flat two-part SVG (label on grey, message on a colour) and the same content as
 * a shields.io endpoint (https://shields.io/badges/endpoint-badge). Pure.
 */

/** shields.io's named colours; the SVG uses the same shades. */
export type BadgeColor = 'brightgreen' | 'green' | 'yellowgreen' | 'yellow' | 'orange' | 'red' | 'lightgrey' | 'blue';

export interface Badge {
  label: string;
  message: string;
  color: BadgeColor;
}

/** The body of a shields.io endpoint badge. */
export interface ShieldsEndpoint {
  schemaVersion: 1;
  label: string;
  message: string;
  color: BadgeColor;
}

const COLOR_HEX: Readonly<Record<BadgeColor, string>> = {
  brightgreen: '#4c1',
  green: '#97ca00',
  yellowgreen: '#a4a61d',
  yellow: '#dfb317',
  orange: '#fe7d37',
  red: '#e05d44',
  lightgrey: '#9f9f9f',
  blue: '#007ec6',
};

const MAX_TEXT_LENGTH = 48;
const PADDING = 6;
const HEIGHT = 20;

/** The current status: `up` green, `down` red, `unknown` grey. */
export function buildStatusBadge(label: string, status: MonitorStatus): Badge {
  switch (status) {
    case 'UP':
      return { label, message: 'up', color: 'brightgreen' };
    case 'DOWN':
      return { label, message: 'down', color: 'red' };
    default:
      return { label, message: 'unknown', color: 'lightgrey' };
  }
}

/**
 * The certificate's days left, `12 days`: bright green beyond the largest warnBefore threshold,
 * yellow within it, orange within the smallest, red on its last day and once expired; `no data`
 * before an https check saw one (or for a monitor that is not https).
 */
export function buildCertificateBadge(thresholdsMs: readonly number[], certificate: { expiresAt: string } | undefined, nowMs: number): Badge {
  const label = 'certificate';
  if (!certificate) return { label, message: 'no data', color: 'lightgrey' };
  const remainingMs = Date.parse(certificate.expiresAt) - nowMs;
  if (!(remainingMs > 0)) return { label, message: 'expired', color: 'red' };
  const days = Math.floor(remainingMs / DAY_MS);
  const message = days === 0 ? 'expires today' : `${days} ${days === 1 ? 'day' : 'days'}`;
  const largest = thresholdsMs.length > 0 ? Math.max(...thresholdsMs) : 0;
  const smallest = thresholdsMs.length > 0 ? Math.min(...thresholdsMs) : 0;
  const color: BadgeColor = days === 0 ? 'red' : remainingMs <= smallest ? 'orange' : remainingMs <= largest ? 'yellow' : 'brightgreen';
  return { label, message, color };
}

/** Uptime over a window, `99.95%`, coloured from bright green (99.9 % and up) to red (below 90 %). */
export function buildUptimeBadge(window: string, percent: number | null): Badge {
  return { label: `uptime ${window}`, message: formatPercent(percent), color: colorForUptime(percent) };
}

/** Average response time of successful checks, `123 ms`, coloured from bright green (under 300 ms) to red. */
export function buildResponseTimeBadge(window: string, averageMs: number | null): Badge {
  if (averageMs === null) return { label: `response time ${window}`, message: 'no data', color: 'lightgrey' };
  const rounded = Math.round(averageMs);
  const color: BadgeColor =
    rounded < 300 ? 'brightgreen' : rounded < 800 ? 'green' : rounded < 1500 ? 'yellow' : rounded < 3000 ? 'orange' : 'red';
  return { label: `response time ${window}`, message: `${rounded} ms`, color };
}

export function colorForUptime(percent: number | null): BadgeColor {
  if (percent === null) return 'lightgrey';
  if (percent >= 99.9) return 'brightgreen';
  if (percent >= 99) return 'green';
  if (percent >= 98) return 'yellowgreen';
  if (percent >= 95) return 'yellow';
  if (percent >= 90) return 'orange';
  return 'red';
}

export function toShieldsEndpoint(badge: Badge): ShieldsEndpoint {
  return { schemaVersion: 1, label: badge.label, message: badge.message, color: badge.color };
}

/**
 * The badge as a standalone SVG document. Widths come from an estimate of Verdana 11 px, and each
 * text is stretched or squeezed to its estimate (`textLength`), so it fits whatever font renders it.
 * Hand-written on purpose: shields.io's badge-maker 6 was measured in its place and made the api
 * package 1,093,265 bytes zipped (functions/api.js 1,951,036 bytes), over the 1 MB budget, against
 * 718,038 with this renderer (`npx sls package`): its exact Verdana width tables weigh ~900 KB.
 */
export function renderBadgeSvg(badge: Badge): string {
  const label = shorten(badge.label);
  const message = shorten(badge.message);
  const labelTextWidth = estimateTextWidth(label);
  const messageTextWidth = estimateTextWidth(message);
  const labelWidth = labelTextWidth + 2 * PADDING;
  const messageWidth = messageTextWidth + 2 * PADDING;
  const width = labelWidth + messageWidth;
  const title = escapeMarkup(`${label}: ${message}`);
  const text = (content: string, centre: number, textWidth: number) => {
    const escaped = escapeMarkup(content);
    const x = centre.toFixed(1);
    return (
      `<text x="${x}" y="15" fill="#010101" fill-opacity=".3" textLength="${textWidth}" lengthAdjust="spacingAndGlyphs" aria-hidden="true">${escaped}</text>` +
      `<text x="${x}" y="14" textLength="${textWidth}" lengthAdjust="spacingAndGlyphs">${escaped}</text>`
    );
  };
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEIGHT}" role="img" aria-label="${title}">`,
    `<title>${title}</title>`,
    '<linearGradient id="shade" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>',
    `<clipPath id="round"><rect width="${width}" height="${HEIGHT}" rx="3" fill="#fff"/></clipPath>`,
    '<g clip-path="url(#round)">',
    `<rect width="${labelWidth}" height="${HEIGHT}" fill="#555"/>`,
    `<rect x="${labelWidth}" width="${messageWidth}" height="${HEIGHT}" fill="${COLOR_HEX[badge.color]}"/>`,
    `<rect width="${width}" height="${HEIGHT}" fill="url(#shade)"/>`,
    '</g>',
    '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">',
    text(label, labelWidth / 2, labelTextWidth),
    text(message, labelWidth + messageWidth / 2, messageTextWidth),
    '</g>',
    '</svg>',
  ].join('');
}

function shorten(text: string): string {
  const chars = [...text];
  return chars.length > MAX_TEXT_LENGTH ? `${chars.slice(0, MAX_TEXT_LENGTH - 1).join('')}…` : text;
}

/** Rough width of a text in Verdana 11 px, from a few classes of character. */
export function estimateTextWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    if ("iljI.,:;|!'`".includes(char)) width += 3.3;
    else if ('frt()[]{}/\\ -'.includes(char)) width += 4.6;
    else if ('mwMW%@'.includes(char)) width += 10.5;
    else if (/[A-Z0-9#$&?~_=+<>^*"]/.test(char)) width += 7.3;
    else width += 6.6;
  }
  return Math.max(1, Math.ceil(width));
}
