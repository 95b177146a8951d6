import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { AlertSource } from '../domain/reminders';
import type { Transition } from '../domain/types';
import { certificateWarningFromItem, reminderFromItem, transitionFromItem } from './dynamodb-items';

/**
 * The transition a stream record inserts; undefined for any other record (the event filter of
 * serverless.yml should drop those). The image is unmarshalled by the SDK's own `unmarshall`, the
 * one the document client reads the table with. A stream image differs from the SDK's attribute
 * values only in binary attributes (base64 text there, bytes here), and a transition item holds
 * none, so the image is handed over as it is; `transitionFromItem` then checks every field.
 */
export function transitionFromStreamRecord(record: DynamoDBRecord): Transition | undefined {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || image?.entity?.S !== 'TRANSITION') return undefined;
  return transitionFromItem(unmarshall(image as Record<string, SdkAttributeValue>));
}

/** The alert a stream record inserts: a transition (or a held outage released), a reminder or a certificate warning; undefined for any other record. */
export function alertSourceFromStreamRecord(record: DynamoDBRecord): AlertSource | undefined {
  const transition = transitionFromStreamRecord(record);
  if (transition) return { kind: 'transition', transition };
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT') return undefined;
  // A held outage, released: its transition's own alert, now.
  if (image?.entity?.S === 'RELEASED_OUTAGE') return { kind: 'transition', transition: transitionFromItem(unmarshall(image as Record<string, SdkAttributeValue>)) };
  if (image?.entity?.S === 'REMINDER') return { kind: 'reminder', reminder: reminderFromItem(unmarshall(image as Record<string, SdkAttributeValue>)) };
  if (image?.entity?.S === 'CERTIFICATE_WARNING') {
    return { kind: 'certificate', warning: certificateWarningFromItem(unmarshall(image as Record<string, SdkAttributeValue>)) };
  }
  return undefined;
}

/** What a log line says about a stream record: which one, and the key of its item. */
export function streamRecordContext(record: DynamoDBRecord): Record<string, unknown> {
  return {
    eventName: record.eventName,
    sequenceNumber: record.dynamodb?.SequenceNumber,
    pk: record.dynamodb?.Keys?.pk?.S,
    sk: record.dynamodb?.Keys?.sk?.S,
  };
}
