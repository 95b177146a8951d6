import fc from 'fast-check';
import {
  certificateWarningKey,
  daysLeft,
  describeExpiry,
  dueCertificateThreshold,
  isCertificateExpiringSoon,
  stepCertificate,
  type Certificate,
  type KnownCertificate,
} from '../../lib/domain/certificate';
import { renderCertificateEmail } from '../../lib/domain/certificate-email';
import { buildCertificateBadge } from '../../lib/domain/badge';
import { DAY_MS, HOUR_MS } from '../../lib/domain/time';
import { defaultMonitor } from '../fixtures/monitor-config';

const NOW = Date.parse('2026-06-01T10:00:00Z');
const TICK = new Date(NOW).toISOString();
const THRESHOLDS = [14 * DAY_MS, 3 * DAY_MS];
const at = (ms: number) => new Date(NOW + ms).toISOString();
const certificate = (expiresInMs: number, fingerprint = 'aa'.repeat(32)): Certificate => ({
  fingerprint,
  expiresAt: at(expiresInMs),
  issuer: 'CN=Test CA',
  subject: 'CN=shop.example.com',
});

describe('dueCertificateThreshold', () => {
  it.each([
    ['40 days left: none', 40 * DAY_MS, [], undefined],
    ['exactly 14 days left: the 14d threshold', 14 * DAY_MS, [], 14 * DAY_MS],
    ['10 days left: 14d', 10 * DAY_MS, [], 14 * DAY_MS],
    ['10 days left, 14d warned: none', 10 * DAY_MS, [14 * DAY_MS], undefined],
    ['2 days left, first seen: 3d only (the nearest)', 2 * DAY_MS, [], 3 * DAY_MS],
    ['2 days left, 14d warned: 3d', 2 * DAY_MS, [14 * DAY_MS], 3 * DAY_MS],
    ['2 days left, both warned: none', 2 * DAY_MS, [14 * DAY_MS, 3 * DAY_MS], undefined],
    ['expired: none (a tls failure)', -HOUR_MS, [], undefined],
    ['expiring this instant: none', 0, [], undefined],
  ] as const)('%s', (_, remainingMs, warned, expected) => {
    expect(dueCertificateThreshold(THRESHOLDS, certificate(remainingMs), NOW, warned)).toBe(expected);
  });
});

describe('stepCertificate', () => {
  it('stores a certificate first seen with nothing due, and then writes nothing for it', () => {
    const first = stepCertificate('shop', undefined, certificate(40 * DAY_MS), THRESHOLDS, TICK);
    expect(first).toEqual({ changed: true, certificate: { ...certificate(40 * DAY_MS), warnedBeforeMs: [] } });
    expect(stepCertificate('shop', first.certificate, certificate(40 * DAY_MS), THRESHOLDS, TICK)).toEqual({ changed: false, certificate: first.certificate });
  });

  it('first seen past both thresholds: one warning, for 3d, and both marked warned', () => {
    const step = stepCertificate('shop', undefined, certificate(2 * DAY_MS), THRESHOLDS, TICK);
    expect(step.warning).toEqual({ monitorId: 'shop', certificate: certificate(2 * DAY_MS), thresholdMs: 3 * DAY_MS, tick: TICK });
    expect(step.certificate.warnedBeforeMs).toEqual([14 * DAY_MS, 3 * DAY_MS]);
  });

  it('a renewal (new fingerprint) resets the warnings', () => {
    const known: KnownCertificate = { ...certificate(2 * DAY_MS), warnedBeforeMs: [14 * DAY_MS, 3 * DAY_MS] };
    const renewed = certificate(2 * DAY_MS, 'bb'.repeat(32));
    const step = stepCertificate('shop', known, renewed, THRESHOLDS, TICK);
    expect(step.warning?.thresholdMs).toBe(3 * DAY_MS);
    expect(step.certificate.fingerprint).toBe('bb'.repeat(32));
  });

  it('property: as time passes, each certificate and threshold is warned at most once, and never after expiry', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 4 }).map((days) => days.sort((a, b) => b - a).map((day) => day * DAY_MS)),
        fc.integer({ min: -DAY_MS, max: 90 * DAY_MS }),
        fc.array(fc.integer({ min: 0, max: 5 * DAY_MS }), { maxLength: 40 }),
        (thresholds, expiresInMs, gaps) => {
          const seen = certificate(expiresInMs);
          let known: KnownCertificate | undefined;
          let nowMs = NOW;
          const warned: number[] = [];
          for (const gap of [0, ...gaps]) {
            nowMs += gap;
            const step = stepCertificate('shop', known, seen, thresholds, new Date(nowMs).toISOString());
            known = step.certificate;
            if (step.warning) {
              warned.push(step.warning.thresholdMs);
              expect(Date.parse(seen.expiresAt)).toBeGreaterThan(nowMs);
              // The nearest threshold the certificate is within.
              expect(Math.min(...thresholds.filter((threshold) => Date.parse(seen.expiresAt) - nowMs <= threshold))).toBe(step.warning.thresholdMs);
            }
          }
          expect(new Set(warned).size).toBe(warned.length);
          // Warnings go out longest threshold first.
          expect([...warned].sort((a, b) => b - a)).toEqual(warned);
        },
      ),
    );
  });
});

describe('wording', () => {
  it.each([
    [3 * DAY_MS + HOUR_MS, 3, 'expires in 3 days'],
    [2 * DAY_MS - HOUR_MS, 1, 'expires in 1 day'],
    [5 * HOUR_MS, 0, 'expires today'],
  ])('%d ms left: %d days, %s', (remainingMs, days, text) => {
    expect(daysLeft(at(remainingMs), NOW)).toBe(days);
    expect(describeExpiry(days)).toBe(text);
  });

  it('the email: [CERT] subject with the monitor name, and the certificate in the text', () => {
    const warning = { monitorId: 'shop', certificate: certificate(3 * DAY_MS - HOUR_MS), thresholdMs: 3 * DAY_MS, tick: TICK };
    const email = renderCertificateEmail({ warning, monitor: defaultMonitor('shop', 'https://shop.example.com/', { name: 'Shop' }), from: 'a@example.com', to: ['b@example.com'] });
    expect(email.subject).toBe('[CERT] Shop certificate expires in 2 days');
    expect(email.text).toContain('Issuer:    CN=Test CA');
    expect(email.text).toContain(`SHA-256:   ${'aa'.repeat(32)}`);
  });

  it('keys a warning by monitor, fingerprint and threshold', () => {
    expect(certificateWarningKey({ monitorId: 'shop', certificate: certificate(DAY_MS), thresholdMs: 3 * DAY_MS })).toBe(`shop#certificate-${'aa'.repeat(32)}#259200000`);
  });

  it('marks a certificate within the largest threshold as expiring soon', () => {
    expect(isCertificateExpiringSoon(THRESHOLDS, at(10 * DAY_MS), NOW)).toBe(true);
    expect(isCertificateExpiringSoon(THRESHOLDS, at(40 * DAY_MS), NOW)).toBe(false);
  });
});

describe('the certificate badge', () => {
  it.each([
    ['none seen', undefined, 'no data', 'lightgrey'],
    ['40 days', at(40 * DAY_MS + HOUR_MS), '40 days', 'brightgreen'],
    ['10 days: within 14d', at(10 * DAY_MS + HOUR_MS), '10 days', 'yellow'],
    ['2 days: within 3d', at(2 * DAY_MS + HOUR_MS), '2 days', 'orange'],
    ['1 day', at(DAY_MS + HOUR_MS), '1 day', 'orange'],
    ['hours left', at(5 * HOUR_MS), 'expires today', 'red'],
    ['expired', at(-HOUR_MS), 'expired', 'red'],
  ])('%s', (_, expiresAt, message, color) => {
    expect(buildCertificateBadge(THRESHOLDS, expiresAt === undefined ? undefined : { expiresAt }, NOW)).toEqual({ label: 'certificate', message, color });
  });
});
