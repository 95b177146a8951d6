/**
 * `npm run maintenance -- start|stop ID|all [DURATION]`: opens or closes an ad-hoc maintenance
 * window in npm start's table or a deployed stage's, and one line saying what was done.
 * Exit codes: 0 done, 1 not done, 2 bad options (an unknown monitor too).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { DynamoDbMaintenanceStore } from '../../lib/adapters/dynamodb-maintenance-store';
import { loadMonitorsConfig } from '../../lib/config/monitors';
import { ConfigError } from '../../lib/domain/errors';
import type { MonitorsConfig } from '../../lib/domain/types';
import { DEMO_MONITOR_ID } from '../local/local-monitors';
import { runMaintenanceCommand } from './maintenance-command';
import { describeTable, describeTableError, maintenanceTableClient } from './maintenance-table';
import { MAINTENANCE_USAGE, UsageError, readMaintenanceOptions, type MaintenanceRequest } from './options';

const COMMAND = 'maintenance';

/** Where the command's one line goes: stdout when done, stderr otherwise. */
export interface CommandOutput {
  log: (line: string) => void;
  error: (line: string) => void;
}

/**
 * The whole command, given its arguments, environment and working directory; resolves with its
 * exit code. The AWS SDK reads credentials and endpoints from `process.env` as usual.
 */
export async function runMaintenanceCli(argv: string[], env: NodeJS.ProcessEnv, cwd: string, output: CommandOutput): Promise<0 | 1 | 2> {
  const fail = (line: string, code: 1 | 2): 1 | 2 => {
    output.error(`${COMMAND}: ${line}`);
    return code;
  };
  let request: MaintenanceRequest;
  try {
    request = readMaintenanceOptions(argv, env, cwd);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return fail(error.message, 2);
  }
  if (request.help) {
    output.log(MAINTENANCE_USAGE);
    return 0;
  }
  const { action, table, monitorsFile } = request.options;

  let config: MonitorsConfig;
  try {
    config = loadMonitorsConfig(monitorsFile);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return fail(error.message.split('\n').join('; '), 1);
  }

  const client = maintenanceTableClient(table);
  try {
    const result = await runMaintenanceCommand(action, {
      store: new DynamoDbMaintenanceStore({ client, tableName: table.tableName }),
      config,
      file: path.basename(monitorsFile),
      // npm start adds its demo monitor to the file's (unless --no-demo): it may be put in maintenance too.
      extraMonitorIds: 'endpoint' in table ? [DEMO_MONITOR_ID] : [],
      where: describeTable(table),
      now: () => new Date(),
      newWindowId: randomUUID,
    });
    if (result.code !== 0) return fail(result.line, result.code);
    output.log(`${COMMAND}: ${result.line}`);
    return 0;
  } catch (error) {
    return fail(describeTableError(error, table), 1);
  } finally {
    client.destroy();
  }
}

if (require.main === module) {
  void runMaintenanceCli(process.argv.slice(2), process.env, process.cwd(), { log: console.log, error: console.error }).then((code) => {
    process.exitCode = code;
  });
}
