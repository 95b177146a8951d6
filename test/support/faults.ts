import {
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';
import { SESClient, SESServiceException, type SESClientConfig } from '@aws-sdk/client-ses';
import type { AlertChannel } from '../../lib/domain/alert';
import type { ReceivedRequest, ReceiverAnswer, ReceiverBehaviour } from './alert-receivers';

/**
 * Faults injected into the real AWS SDK clients through their middleware stacks: the code under
 * test talks to DynamoDB Local and the SES emulator as usual, and the SDK sees throttling, server
 * errors, replayed requests, stalls and a frozen process the way it would see them from AWS. The
 * alert channels' receivers (real HTTP servers on 127.0.0.1) fail deliveries the way a service
 * having a bad moment does: 500, 429 with Retry-After, no answer, a reset connection.
 */

/** A small seeded PRNG (mulberry32), so a failing run can be replayed from its seed. */
export class Rng {
  private state: number;
  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('pick from an empty list');
    return item;
  }
}

/** How often each fault fired; the suite asserts every kind fired. */
export class FaultCounters {
  readonly counts = new Map<string, number>();
  add(name: string, by = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + by);
  }
  get(name: string): number {
    return this.counts.get(name) ?? 0;
  }
  describe(): string {
    return [...this.counts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, count]) => `${name}=${count}`)
      .join(' ');
  }
}

type RetryStrategy = NonNullable<DynamoDBClientConfig['retryStrategy']> & NonNullable<SESClientConfig['retryStrategy']>;

/**
 * The SDK's retry decisions (throttling and transient errors are retried, up to `maxAttempts`
 * attempts in all) with millisecond backoff instead of the SDK's seconds, so a timeline with
 * hundreds of throttled calls runs in seconds. Only the waiting is scaled, not what is retried.
 */
export function quickRetryStrategy(maxAttempts: number): RetryStrategy {
  const token = (count: number) => ({ getRetryCount: () => count, getRetryDelay: () => 2 + count * 3 });
  return {
    mode: 'standard',
    acquireInitialRetryToken: async () => token(0),
    refreshRetryTokenForRetry: async (previous, info) => {
      const retryable = info.errorType === 'THROTTLING' || info.errorType === 'TRANSIENT';
      if (!retryable || previous.getRetryCount() + 1 >= maxAttempts) throw new Error('no retry');
      return token(previous.getRetryCount() + 1);
    },
    recordSuccess: () => undefined,
  };
}

/** A process Lambda froze: nothing it started after (or had in flight at) the kill ever returns. */
export class KillSwitch {
  killed = false;
  /** Calls that were in flight when the switch was thrown (their effect may have landed). */
  inFlightAtKill = 0;
  private inFlight = 0;

  kill(): void {
    this.killed = true;
    this.inFlightAtKill = this.inFlight;
  }

  /** Outermost middleware of every client of the invocation. */
  install(client: DynamoDBClient | SESClient): void {
    if (client instanceof DynamoDBClient) {
      client.middlewareStack.add((next) => (args) => this.wrap(() => next(args)), { step: 'initialize', priority: 'high', name: 'killSwitch' });
    } else {
      client.middlewareStack.add((next) => (args) => this.wrap(() => next(args)), { step: 'initialize', priority: 'high', name: 'killSwitch' });
    }
  }

  /** The invocation's alert channels, frozen with it: a delivery started after the kill never leaves. */
  channels(channels: ReadonlyMap<string, AlertChannel>): ReadonlyMap<string, AlertChannel> {
    return new Map(
      [...channels].map(([name, channel]) => [
        name,
        { name: channel.name, type: channel.type, deliver: (alert, options) => this.wrap(() => channel.deliver(alert, options)) } satisfies AlertChannel,
      ]),
    );
  }

  private async wrap<T>(call: () => Promise<T>): Promise<T> {
    const never = () => new Promise<never>(() => undefined);
    if (this.killed) return never();
    this.inFlight += 1;
    try {
      const result = await call();
      if (this.killed) return never();
      return result;
    } catch (error) {
      if (this.killed) return never();
      throw error;
    } finally {
      this.inFlight -= 1;
    }
  }
}

export interface DynamoDbFaults {
  rng: Rng;
  counters: FaultCounters;
  /** Chance that an attempt is throttled, while the call has had fewer than `maxThrottlesPerCall`. */
  throttle: number;
  maxThrottlesPerCall: number;
  /** Every attempt of every call is throttled: a storm longer than the SDK's retries. */
  storm?: boolean;
  /**
   * Chance that a conditional write reaches DynamoDB twice, the first copy winning (a racing twin,
   * or an SDK retry whose first try landed): the caller gets the genuine condition failure.
   */
  replayConditionalWrite: number;
  /**
   * The `nth` Query of this client answers only after `ms` (a stalled connection); with `after`,
   * the nth of the Queries sent once `after()` holds.
   */
  stallQuery?: { nth: number; ms: number; after?: () => boolean };
}

const attemptOf = (request: unknown): number => {
  if (typeof request !== 'object' || request === null || !('headers' in request)) return 1;
  const headers = request.headers as Record<string, string | undefined>;
  return Number(/attempt=(\d+)/.exec(headers['amz-sdk-request'] ?? '')?.[1] ?? '1');
};

function isConditionalWrite(input: unknown): boolean {
  if (typeof input !== 'object' || input === null) return false;
  if ('ConditionExpression' in input && typeof input.ConditionExpression === 'string') return true;
  if ('TransactItems' in input && Array.isArray(input.TransactItems)) {
    return input.TransactItems.some((item: unknown) => JSON.stringify(item).includes('"ConditionExpression"'));
  }
  return false;
}

/** Installs DynamoDB faults on a client (call after the kill switch, if any). */
export function injectDynamoDbFaults(client: DynamoDBClient, faults: DynamoDbFaults): void {
  const throttlesPerCall = new WeakMap<object, number>();
  let queries = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'QueryCommand' && (faults.stallQuery?.after?.() ?? true)) queries += 1;
      if (context.commandName === 'QueryCommand' && queries === faults.stallQuery?.nth) {
        faults.counters.add('dynamodb.stall');
        await new Promise((resolve) => setTimeout(resolve, faults.stallQuery?.ms));
      }
      return next(args);
    },
    { step: 'initialize', name: 'stallQueries' },
  );
  client.middlewareStack.add(
    (next) => async (args) => {
      if (isConditionalWrite(args.input) && faults.rng.chance(faults.replayConditionalWrite)) {
        faults.counters.add('dynamodb.replayedConditionalWrite');
        await next(args).catch(() => undefined);
      }
      return next(args);
    },
    { step: 'build', name: 'replayConditionalWrites' },
  );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const throttled = throttlesPerCall.get(context) ?? 0;
      if (faults.storm || (throttled < faults.maxThrottlesPerCall && faults.rng.chance(faults.throttle))) {
        throttlesPerCall.set(context, throttled + 1);
        faults.counters.add(faults.storm ? 'dynamodb.throttleStorm' : 'dynamodb.throttle');
        throw new ProvisionedThroughputExceededException({
          message: 'The level of configured provisioned throughput for the table was exceeded.',
          $metadata: { httpStatusCode: 400, attempts: attemptOf(args.request) },
        });
      }
      return next(args);
    },
    // Inside the retry middleware: once per attempt, before the request leaves.
    { step: 'deserialize', name: 'throttleAttempts' },
  );
}

export interface SesFaults {
  rng: Rng;
  counters: FaultCounters;
  /** Chance that a send's first attempt is throttled ("Maximum sending rate exceeded"). */
  throttleFirstAttempt: number;
  /** Chance that a send's first attempt gets a 503. */
  unavailableFirstAttempt: number;
  /** Every attempt throttled: a throttle that outlasts the SDK's retries. */
  storm?: boolean;
  /** Each attempt waits up to this long before it leaves (SES answering slowly). */
  maxLatencyMs: number;
  /** Called after SES accepted a message. */
  onAccepted?: () => void;
}

/** Installs SES faults on a client (call after the kill switch, if any). */
export function injectSesFaults(client: SESClient, faults: SesFaults): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const first = attemptOf(args.request) === 1;
      if (faults.maxLatencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.rng.int(0, faults.maxLatencyMs)));
      if (faults.storm || (first && faults.rng.chance(faults.throttleFirstAttempt))) {
        faults.counters.add(faults.storm ? 'ses.throttleStorm' : 'ses.throttle');
        throw new SESServiceException({
          name: 'Throttling',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
          message: 'Maximum sending rate exceeded.',
        });
      }
      if (first && faults.rng.chance(faults.unavailableFirstAttempt)) {
        faults.counters.add('ses.unavailable');
        throw new SESServiceException({
          name: 'ServiceUnavailable',
          $fault: 'server',
          $metadata: { httpStatusCode: 503 },
          message: 'Service Unavailable',
        });
      }
      const result = await next(args);
      faults.onAccepted?.();
      return result;
    },
    { step: 'deserialize', name: 'sesFaults' },
  );
}

// ---------------------------------------------------------------------------------------------
// Receivers of the alert channels

/** How a receiver fails a delivery. */
export const RECEIVER_FAULTS = ['status500', 'status429', 'hang', 'reset'] as const;
export type ReceiverFault = (typeof RECEIVER_FAULTS)[number];

export interface ReceiverFaultOptions {
  seed: number;
  counters: FaultCounters;
  /** Chance that a delivery's first attempt meets a fault; later attempts are taken. */
  chance: number;
  /**
   * Which delivery a request is, as the receiver sees it (a webhook's `webhook-id`, PagerDuty's
   * dedup_key and event_action): every retry of a delivery has the same.
   */
  identify: (request: ReceivedRequest) => string;
  /** The answer once the fault, if any, is past. */
  accept: ReceiverBehaviour;
  /** A 429's Retry-After, in seconds. */
  retryAfterSeconds?: number;
}

/**
 * A receiver that fails the first attempt of some deliveries, then takes them. Which deliveries and
 * how is decided from the seed and the delivery's identity alone, not from the order requests
 * arrive in, so a seed fails the same deliveries the same way on every run. Each fault is counted
 * as `receiver.<fault>`.
 */
export function faultyReceiver(options: ReceiverFaultOptions): (request: ReceivedRequest) => ReceiverAnswer {
  const attempts = new Map<string, number>();
  return (request) => {
    const id = options.identify(request);
    const attempt = (attempts.get(id) ?? 0) + 1;
    attempts.set(id, attempt);
    const decide = new Rng(hashText(`${options.seed}|${id}`));
    if (attempt === 1 && decide.chance(options.chance)) {
      const fault = decide.pick(RECEIVER_FAULTS);
      options.counters.add(`receiver.${fault}`);
      return receiverFaultAnswer(fault, options.retryAfterSeconds ?? 1);
    }
    return typeof options.accept === 'function' ? options.accept(request) : options.accept;
  };
}

/** The answer of a receiver fault: what a service having a bad moment sends, or does not. */
export function receiverFaultAnswer(fault: ReceiverFault, retryAfterSeconds = 1): ReceiverAnswer {
  switch (fault) {
    case 'status500':
      return { status: 500, headers: { 'content-type': 'text/plain' }, body: 'internal error' };
    case 'status429':
      return { status: 429, headers: { 'content-type': 'text/plain', 'retry-after': String(retryAfterSeconds) }, body: 'rate limited' };
    case 'hang':
      return 'hang';
    case 'reset':
      return 'reset';
  }
}

/** FNV-1a: a 32-bit seed from a text. */
function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
