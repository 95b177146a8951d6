import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { randomUUID } from 'node:crypto';
import { alertMonitorId, reminderKey, type AlertSource } from '../domain/reminders';
import { certificateWarningKey } from '../domain/certificate';
import { deadlineFrom } from './deadline';
import { deliverInOrder, type OutboxDeps } from './outbox';
import {
  DEFAULT_NOTIFY_TIMING,
  AlertDeliveryError,
  NotificationInProgressError,
  OutOfTimeError,
  sendAllowanceMs,
  transitionKey,
  type NotifyOutcome,
  type NotifyTiming,
} from './notify';

export interface NotifyDeps extends OutboxDeps {
  /** The alert a stream record inserts (a transition or a reminder); undefined for any other record. */
  readAlert(record: DynamoDBRecord): AlertSource | undefined;
  /** What a log line says about a record. */
  describeRecord(record: DynamoDBRecord): Record<string, unknown>;
}

/** A later transition of a monitor whose earlier one failed in this batch: it waits its turn. */
export class BlockedTransitionError extends Error {
  override readonly name = 'BlockedTransitionError';
  constructor(readonly monitorId: string) {
    super(`an earlier transition of '${monitorId}' in this batch failed; this one is retried after it, to keep the emails in order`);
  }
}

/**
 * One stream batch: one email per transition insert, failed records reported for retry.
 *
 * Records are handled in order, one at a time. A record is only started while the time left covers
 * a send and its record in the ledger; past that, it and the rest are reported as failed (Lambda
 * redelivers them) and the function returns before its deadline. Once a record of a monitor fails
 * on some channels, the monitor's later records skip those channels (and are retried for them), so
 * no channel gets its outage and recovery swapped while the other channels are not held back; a
 * record that fails otherwise (no time, a claim held elsewhere, the table) holds back them all.
 */
export async function notifyBatch(event: DynamoDBStreamEvent, context: Context, deps: NotifyDeps): Promise<DynamoDBBatchResponse> {
  const timing: NotifyTiming = deps.timing ?? DEFAULT_NOTIFY_TIMING;
  const attempt = { attemptId: `${context.awsRequestId}/${randomUUID()}`, deadline: deadlineFrom(context) };
  const failedMonitors = new Set<string>();
  /** A monitor's channels that failed an earlier record of this batch: its later alerts wait there, and only there. */
  const blockedChannels = new Map<string, Set<string>>();
  let outOfTimeLogged = false;

  const handleRecord = async (record: DynamoDBRecord): Promise<NotifyOutcome | undefined> => {
    const source = deps.readAlert(record);
    if (!source) {
      deps.logger.warn('stream record is not a transition or reminder insert; ignored', deps.describeRecord(record));
      return undefined;
    }
    const monitorId = alertMonitorId(source);
    const key =
      source.kind === 'transition' ? transitionKey(source.transition) : source.kind === 'reminder' ? reminderKey(source.reminder) : certificateWarningKey(source.warning);
    try {
      if (failedMonitors.has(monitorId)) throw new BlockedTransitionError(monitorId);
      const remainingMs = attempt.deadline.remainingMs();
      if (remainingMs < sendAllowanceMs(timing)) throw new OutOfTimeError(key, remainingMs, sendAllowanceMs(timing));
      const blocked = blockedChannels.get(monitorId);
      return await deliverInOrder(source, deps, blocked ? { ...attempt, blockedChannels: blocked } : attempt);
    } catch (error) {
      if (error instanceof AlertDeliveryError) {
        // Some channels took it: the monitor's later alerts still go to those, in order.
        const blocked = blockedChannels.get(monitorId) ?? new Set<string>();
        for (const channel of error.failedChannels) blocked.add(channel);
        blockedChannels.set(monitorId, blocked);
      } else {
        failedMonitors.add(monitorId);
      }
      const deferred = error instanceof OutOfTimeError || error instanceof BlockedTransitionError || error instanceof NotificationInProgressError;
      if (!deferred) {
        deps.logger.error('alert failed; the record will be retried', { ...deps.describeRecord(record), error });
      } else if (!(error instanceof OutOfTimeError && outOfTimeLogged)) {
        // Out of time: said once per batch, not once per record left.
        deps.logger.warn('alert deferred; the record will be retried', { ...deps.describeRecord(record), reason: error.message });
      }
      if (error instanceof OutOfTimeError) outOfTimeLogged = true;
      throw error;
    }
  };
  // Sequential, so a monitor's outage and recovery emails go out in the order they happened.
  return processPartialResponse(event, handleRecord, new BatchProcessor(EventType.DynamoDBStreams), {
    context,
    processInParallel: false,
    throwOnFullBatchFailure: false,
  });
}
