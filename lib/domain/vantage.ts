/**
 * One vantage point's view of a suspect in a multi-region confirmation (lib/domain/confirmation.ts):
 * the home region first, then each confirmer region. Its own module, with no imports, so the
 * state's types and the alerts' can both name it.
 */
export interface Vantage {
  region: string;
  /** true: its check passed; false: it failed; null: it abstained (an error, throttling, the deadline). */
  ok: boolean | null;
  /** Why it failed (the failure's category) or abstained (`abstained: deadline`); absent when it passed. */
  reason?: string;
  /** Its check's latency; absent when it abstained. */
  latencyMs?: number;
}
