import { setMaxListeners } from 'node:events';

/**
 * The time an invocation has left, read from the Lambda context's `getRemainingTimeInMillis`, so
 * work can be cut short before Lambda stops the function mid-step.
 */
export interface Deadline {
  /** Milliseconds left before the deadline; negative once it has passed. */
  remainingMs(): number;
  /** A signal that aborts `marginMs` before the deadline (at once if that moment has passed). */
  signalBefore(marginMs: number): AbortSignal;
}

/** The part of the Lambda context a deadline needs. */
export interface RemainingTime {
  getRemainingTimeInMillis(): number;
}

/**
 * A run's signal is listened to by every check in flight (one listener each, removed when the
 * check ends): lift Node's warning at 10 listeners, which would otherwise fire on every run.
 */
function sharedByChecks(signal: AbortSignal): AbortSignal {
  setMaxListeners(0, signal);
  return signal;
}

/**
 * A deadline `reserveMs` before the invocation's own, so there is time left to return (and to
 * write what must be written) after it passes. Read once, at the start, from the context.
 */
export function deadlineFrom(context: RemainingTime, reserveMs = 0): Deadline {
  return deadlineIn(context.getRemainingTimeInMillis() - reserveMs);
}

/** A deadline `ms` from now, on the monotonic clock. */
export function deadlineIn(ms: number): Deadline {
  const monotonicEndMs = performance.now() + ms;
  const remainingMs = () => monotonicEndMs - performance.now();
  return {
    remainingMs,
    signalBefore: (marginMs) => sharedByChecks(AbortSignal.timeout(Math.max(0, Math.floor(remainingMs() - marginMs)))),
  };
}

/** No deadline: for callers without a Lambda context (tests, scripts). */
export const NO_DEADLINE: Deadline = {
  remainingMs: () => Number.POSITIVE_INFINITY,
  signalBefore: () => sharedByChecks(new AbortController().signal),
};

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
