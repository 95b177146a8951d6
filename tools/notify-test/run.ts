/**
 * `npm run notify:test -- --channel NAME [--stage STAGE] [--region REGION]`: one test alert through
 * one channel of the monitors file, locally or with a deployed stage's secrets, and one line saying
 * what the channel answered. Exit codes: 0 taken, 1 not taken (or not sendable), 2 bad options.
 */
import { randomUUID } from 'node:crypto';
import { NOTIFY_TEST_USAGE, UsageError, readNotifyTestOptions, type NotifyTestRequest } from './options';
import { sendTestAlert } from './send-test-alert';

async function main(): Promise<void> {
  let request: NotifyTestRequest;
  try {
    request = readNotifyTestOptions(process.argv.slice(2), process.env, process.cwd());
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`notify:test: ${error.message}`);
    process.exit(2);
  }
  if (request.help) {
    console.log(NOTIFY_TEST_USAGE);
    return;
  }
  const result = await sendTestAlert(request.options, { env: process.env, now: () => new Date(), newDeliveryId: randomUUID });
  if (result.ok) {
    console.log(`notify:test: ${result.line}`);
  } else {
    console.error(`notify:test: ${result.line}`);
    process.exitCode = 1;
  }
}

void main();
