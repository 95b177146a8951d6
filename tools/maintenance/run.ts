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

async function main(): Promise<void> {
  let request: MaintenanceRequest;
  try {
    request = readMaintenanceOptions(process.argv.slice(2), process.env, process.cwd());
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    fail(error.message, 2);
    return;
  }
  if (request.help) {
    console.log(MAINTENANCE_USAGE);
    return;
  }
  const { action, table, monitorsFile } = request.options;

  let config: MonitorsConfig;
  try {
    config = loadMonitorsConfig(monitorsFile);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    fail(error.message.split('\n').join('; '), 1);
    return;
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
    if (result.code === 0) console.log(`${COMMAND}: ${result.line}`);
    else fail(result.line, result.code);
  } catch (error) {
    fail(describeTableError(error, table), 1);
  } finally {
    client.destroy();
  }
}

function fail(line: string, code: 1 | 2): void {
  console.error(`${COMMAND}: ${line}`);
  process.exitCode = code;
}

void main();
