import { createHash } from 'node:crypto';
import { PublishCommand, type PublishCommandInput, type SNSClient } from '@aws-sdk/client-sns';
import { PermanentDeliveryError, TransientDeliveryError, type Alert, type AlertChannel, type DeliveryReceipt } from '../domain/alert';
import { fitText, renderSnsNotice } from '../domain/alert-payloads';
import { DEFAULT_DELIVERY_TIMEOUT_MS, MAX_ANSWER_IN_MESSAGE } from './http-alert-channels';

/**
 * Alerts published to an SNS topic: the Subject (what email subscribers see as the subject) and a
 * plain-text Message (what every protocol gets). To a FIFO topic (`….fifo`) an alert also goes
 * with its monitor's id as MessageGroupId, so one monitor's alerts keep their order, and a hash
 * of the delivery's id as MessageDeduplicationId, so SNS drops a retry that follows an accepted
 * publish within its five-minute deduplication window.
 */

/** Errors that say "later": throttling and AWS's own failures. */
const TRANSIENT_ERRORS = new Set([
  'ThrottledException',
  'ThrottlingException',
  'Throttling',
  'KMSThrottlingException',
  'InternalErrorException',
  'InternalFailure',
  'ServiceUnavailable',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/** Errors a retry cannot change: the topic, its key or our permission to publish is wrong. */
const PERMANENT_ERRORS = new Set([
  'AuthorizationErrorException',
  'AuthorizationError',
  'AccessDeniedException',
  'NotFoundException',
  'NotFound',
  'InvalidParameterException',
  'InvalidParameter',
  'InvalidParameterValueException',
  'ParameterValueInvalid',
  'ValidationException',
  'InvalidSecurityException',
  'EndpointDisabledException',
  'KMSDisabledException',
  'KMSAccessDeniedException',
  'KMSNotFoundException',
  'KMSInvalidStateException',
  'KMSOptInRequired',
]);

export interface SnsAlertChannelOptions {
  client: SNSClient;
  /** Per delivery, the SDK's own retries included; default DEFAULT_DELIVERY_TIMEOUT_MS. */
  timeoutMs?: number;
}

export class SnsAlertChannel implements AlertChannel {
  readonly type = 'sns' as const;
  readonly name: string;
  private readonly topicArn: string;
  private readonly client: SNSClient;
  private readonly timeoutMs: number;

  constructor(config: { name: string; topicArn: string }, options: SnsAlertChannelOptions) {
    this.name = config.name;
    this.topicArn = config.topicArn;
    this.client = options.client;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
  }

  async deliver(alert: Alert, options: { deliveryId: string; signal?: AbortSignal }): Promise<DeliveryReceipt> {
    const notice = renderSnsNotice(alert);
    const input: PublishCommandInput = {
      TopicArn: this.topicArn,
      Subject: notice.subject,
      Message: notice.message,
      ...(this.topicArn.endsWith('.fifo')
        ? { MessageGroupId: alert.monitor.id, MessageDeduplicationId: createHash('sha256').update(options.deliveryId).digest('hex') }
        : {}),
    };
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const abortSignal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    try {
      const output = await this.client.send(new PublishCommand(input), { abortSignal });
      // SNS answers every accepted publish with a MessageId; throwing without one would publish twice.
      return { receipt: `SNS message ${output.MessageId ?? '(none)'}` };
    } catch (error) {
      throw this.classify(error, options.signal, timeout);
    }
  }

  private classify(error: unknown, callerSignal: AbortSignal | undefined, timeout: AbortSignal): Error {
    const where = `sns channel '${this.name}'`;
    if (callerSignal?.aborted) return new TransientDeliveryError(`${where}: cut short by the caller`, { cause: error });
    if (timeout.aborted) return new TransientDeliveryError(`${where}: no answer within ${this.timeoutMs} ms`, { cause: error });
    const message = `${where}: ${describeError(error)}`;
    return isTransientSnsError(error) ? new TransientDeliveryError(message, { cause: error }) : new PermanentDeliveryError(message, { cause: error });
  }
}

/** What the SDK's errors carry beyond Error: the fault's side, the HTTP status, the SDK's own retry verdict. */
interface SdkErrorShape {
  name?: unknown;
  $fault?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/**
 * Transient: the SDK calls it retryable, its name says throttling or an AWS failure, or it is a
 * server fault, a 5xx, 408 or 429. Permanent: its name says authorisation, a missing topic or an
 * invalid parameter, or it is any other client fault or 4xx. An error with none of these marks
 * (a socket closed, a name that did not resolve) never reached SNS's judgement: transient.
 */
export function isTransientSnsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return true;
  const shape = error as SdkErrorShape;
  const name = typeof shape.name === 'string' ? shape.name : '';
  if (shape.$retryable !== undefined && shape.$retryable !== null && shape.$retryable !== false) return true;
  if (TRANSIENT_ERRORS.has(name)) return true;
  if (PERMANENT_ERRORS.has(name)) return false;
  const status = typeof shape.$metadata?.httpStatusCode === 'number' ? shape.$metadata.httpStatusCode : undefined;
  if (shape.$fault === 'server' || (status !== undefined && (status >= 500 || status === 408 || status === 429))) return true;
  if (shape.$fault === 'client' || (status !== undefined && status >= 400)) return false;
  return true;
}

/** `<name>: <message, one line, capped>`, read by shape (the error may come from another realm). */
function describeError(error: unknown): string {
  const { name, message } = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; message?: unknown };
  const label = typeof name === 'string' && name !== '' ? name : 'unknown error';
  // eslint-disable-next-line no-control-regex
  const text = typeof message === 'string' ? message.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim() : '';
  return text === '' ? label : `${label}: ${fitText(text, MAX_ANSWER_IN_MESSAGE)}`;
}
