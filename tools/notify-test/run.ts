/**
 * `npm run notify:test -- --channel NAME [--stage STAGE] [--region REGION]` (and `uptime-monitor
 * notify:test`): one test alert through one channel of the monitors file, locally or with a
 * deployed stage's secrets, and one line saying what the channel answered.
 * Exit codes: 0 taken, 1 not taken (or not sendable), 2 bad options.
 */
import { randomUUID } from 'node:crypto';
import { NOTIFY_TEST_USAGE, UsageError, readNotifyTestOptions, type NotifyTestRequest } from './options';
import { sendTestAlert } from './send-test-alert';

const COMMAND = 'notify:test';

/** Where the command's one line goes: stdout when the channel took the alert, stderr otherwise. */
export interface CommandOutput {
  log: (line: string) => void;
  error: (line: string) => void;
}

/**
 * The whole command, given its arguments, environment and working directory; resolves with its
 * exit code. `env` is also where `{ env: NAME }` references are read; the AWS SDK reads
 * credentials and endpoints from `process.env` as usual.
 */
export async function runNotifyTestCli(argv: string[], env: NodeJS.ProcessEnv, cwd: string, output: CommandOutput): Promise<0 | 1 | 2> {
  let request: NotifyTestRequest;
  try {
    request = readNotifyTestOptions(argv, env, cwd);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    output.error(`${COMMAND}: ${error.message}`);
    return 2;
  }
  if (request.help) {
    output.log(NOTIFY_TEST_USAGE);
    return 0;
  }
  const result = await sendTestAlert(request.options, { env, now: () => new Date(), newDeliveryId: randomUUID });
  if (!result.ok) {
    output.error(`${COMMAND}: ${result.line}`);
    return 1;
  }
  output.log(`${COMMAND}: ${result.line}`);
  return 0;
}

if (require.main === module) {
  void runNotifyTestCli(process.argv.slice(2), process.env, process.cwd(), { log: console.log, error: console.error }).then((code) => {
    process.exitCode = code;
  });
}
