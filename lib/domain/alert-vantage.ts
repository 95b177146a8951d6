import type { Vantage } from './vantage';

/**
 * Where an outage was seen from (multi-region confirmation, monitors.yml `confirm`), as its alerts
 * say it: `Confirmed from 2 of 3 vantage points: us-east-1 (http-status), eu-west-1 (timeout)
 * failing; ap-southeast-1 reachable`, or, for an outage declared on a minority
 * (`confirm.alertOnRegional`), `Seen from 1 of 3 vantage points only: …`. Pure.
 */

/** An outage's vantage points as its alert carries them. */
export interface AlertVantage {
  /** Every vantage point's view, the home region first (the transition's `vantage`). */
  points: Vantage[];
  /** Whether a quorum of them failed: false for an outage declared though only a minority did (`alertOnRegional`). */
  quorumMet: boolean;
}

/** Longest region and reason quoted; regions are AWS region names and reasons categories, this keeps the line bounded whatever is stored. */
const MAX_REGION_LENGTH = 40;
const MAX_VANTAGE_REASON_LENGTH = 80;
/** Longest list of vantage points (the part after the lead); nine points fit far within it. */
export const MAX_VANTAGE_DETAIL_LENGTH = 600;

/**
 * The alert's words for its vantage points: a lead (`Confirmed from 2 of 3 vantage points`, `Seen
 * from 1 of 3 vantage points only`) and the detail (failing, reachable, no answer), both plain
 * one-line text, the detail capped. Each channel escapes and fits them its own way.
 */
export function describeVantage(vantage: AlertVantage): { lead: string; detail: string } {
  const { points } = vantage;
  const failing = points.filter((point) => point.ok === false);
  const reachable = points.filter((point) => point.ok === true);
  const abstained = points.filter((point) => point.ok === null);
  const counted = `${failing.length} of ${points.length} vantage point${points.length === 1 ? '' : 's'}`;
  const lead = vantage.quorumMet ? `Confirmed from ${counted}` : `Seen from ${counted} only`;
  const parts = [
    ...(failing.length === 0 ? [] : [`${failing.map((point) => `${region(point)} (${cap(oneLine(point.reason ?? 'failed'), MAX_VANTAGE_REASON_LENGTH)})`).join(', ')} failing`]),
    ...(reachable.length === 0 ? [] : [`${reachable.map(region).join(', ')} reachable`]),
    ...(abstained.length === 0 ? [] : [abstained.map((point) => `${region(point)} (no answer)`).join(', ')]),
  ];
  return { lead, detail: cap(parts.join('; '), MAX_VANTAGE_DETAIL_LENGTH) };
}

/** The lead and the detail as one line: `Confirmed from 2 of 3 vantage points: …`. */
export function vantageLine(vantage: AlertVantage): string {
  const { lead, detail } = describeVantage(vantage);
  return `${lead}: ${detail}`;
}

function region(point: Vantage): string {
  return cap(oneLine(point.region), MAX_REGION_LENGTH);
}

/** Control characters (C0 and C1) and Unicode line separators become single spaces. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u0085\u2028\u2029]+/g, ' ').replace(/ {2,}/g, ' ').trim();
}

/** At most `max` characters (code points), with … when cut. */
function cap(text: string, max: number): string {
  const characters = Array.from(text);
  return characters.length <= max ? text : `${characters.slice(0, max - 1).join('')}…`;
}
