import { formatDuration } from './duration';
import { DAY_MS } from './time';

/**
 * Certificate warnings: an https monitor's leaf certificate, seen at each check, and the alert that
 * it expires soon, sent once per certificate (its SHA-256 fingerprint) and threshold (`warnBefore`).
 * An expired or otherwise invalid certificate is not warned about: the check fails as `tls`, and
 * that outage is alerted as any other.
 */

/** The leaf certificate a check saw. */
export interface Certificate {
  /** SHA-256 of the DER certificate, lowercase hex without separators. */
  fingerprint: string;
  /** Its `notAfter`, ISO-8601. */
  expiresAt: string;
  /** The issuer's distinguished name, `CN=…, O=…`. */
  issuer: string;
  /** The subject's distinguished name. */
  subject: string;
}

/** The certificate a monitor's state keeps: the latest seen, and the thresholds already warned for it. */
export interface KnownCertificate extends Certificate {
  /** Thresholds (`warnBefore`, ms) already warned for this fingerprint, or passed when it was first seen. */
  warnedBeforeMs: number[];
}

/** A warning that a monitor's certificate expires within `thresholdMs`, written once by the probe. */
export interface CertificateWarning {
  monitorId: string;
  certificate: Certificate;
  /** The nearest `warnBefore` threshold the certificate is within. */
  thresholdMs: number;
  /** The tick of the run that wrote it: when it was made. */
  tick: string;
}

/**
 * The threshold a certificate is due a warning for at `nowMs`, if any: the smallest threshold its
 * remaining validity is within, unless that one was warned already. So one warning per threshold,
 * and a certificate first seen past several thresholds gets one, for the nearest. None once it
 * expired (the check fails as `tls`).
 */
export function dueCertificateThreshold(
  thresholdsMs: readonly number[],
  certificate: Pick<Certificate, 'expiresAt'>,
  nowMs: number,
  warnedBeforeMs: readonly number[],
): number | undefined {
  const remainingMs = Date.parse(certificate.expiresAt) - nowMs;
  if (!(remainingMs > 0)) return undefined;
  const within = thresholdsMs.filter((threshold) => remainingMs <= threshold);
  if (within.length === 0) return undefined;
  const nearest = Math.min(...within);
  return warnedBeforeMs.includes(nearest) ? undefined : nearest;
}

/** What a check's certificate changes: the certificate the state keeps, and the warning to write. */
export interface CertificateStep {
  /** Whether the state must be written: a new certificate (a renewal) or a warning. */
  changed: boolean;
  certificate: KnownCertificate;
  warning?: CertificateWarning;
}

/**
 * The step of a check that saw `seen`: a new fingerprint replaces the known certificate and resets
 * its warnings; a due warning marks every threshold the certificate is within as warned (a later
 * check never warns for a threshold already passed). Same certificate, nothing due: unchanged.
 */
export function stepCertificate(
  monitorId: string,
  known: KnownCertificate | undefined,
  seen: Certificate,
  thresholdsMs: readonly number[],
  tick: string,
): CertificateStep {
  const renewed = known === undefined || known.fingerprint !== seen.fingerprint;
  const warned = renewed ? [] : known.warnedBeforeMs;
  const nowMs = Date.parse(tick);
  const due = dueCertificateThreshold(thresholdsMs, seen, nowMs, warned);
  const base: KnownCertificate = renewed ? { ...seen, warnedBeforeMs: [] } : known;
  if (due === undefined) return { changed: renewed, certificate: base };
  const remainingMs = Date.parse(seen.expiresAt) - nowMs;
  const passed = thresholdsMs.filter((threshold) => remainingMs <= threshold);
  const warnedBeforeMs = [...new Set([...warned, ...passed])].sort((a, b) => b - a);
  return {
    changed: true,
    certificate: { ...base, warnedBeforeMs },
    warning: { monitorId, certificate: { fingerprint: seen.fingerprint, expiresAt: seen.expiresAt, issuer: seen.issuer, subject: seen.subject }, thresholdMs: due, tick },
  };
}

/** Whole days left before `expiresAt` at `nowMs`, rounded down (0 on its last day; negative once expired). */
export function daysLeft(expiresAt: string, nowMs: number): number {
  return Math.floor((Date.parse(expiresAt) - nowMs) / DAY_MS);
}

/** `expires in 3 days`, `expires in 1 day`, `expires today`. */
export function describeExpiry(days: number): string {
  if (days <= 0) return 'expires today';
  return `expires in ${days} ${days === 1 ? 'day' : 'days'}`;
}

/** A threshold as monitors.yml writes it: `14d`, `3d`, `12h`. */
export function describeThreshold(thresholdMs: number): string {
  return formatDuration(thresholdMs);
}

/** A warning's identity: the alert key of its deliveries (and PagerDuty's dedup_key). */
export function certificateWarningKey(warning: Pick<CertificateWarning, 'monitorId' | 'certificate' | 'thresholdMs'>): string {
  return `${warning.monitorId}#certificate-${warning.certificate.fingerprint}#${warning.thresholdMs}`;
}

/** Whether a certificate is within the largest of its monitor's thresholds at `nowMs` (the status page marks it). */
export function isCertificateExpiringSoon(thresholdsMs: readonly number[], expiresAt: string, nowMs: number): boolean {
  if (thresholdsMs.length === 0) return false;
  return Date.parse(expiresAt) - nowMs <= Math.max(...thresholdsMs);
}
