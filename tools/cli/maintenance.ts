/** `uptime-monitor maintenance start|stop ...`: tools/maintenance, under the CLI's name. */
import { MAINTENANCE_USAGE } from '../maintenance/options';
import { runMaintenanceCli } from '../maintenance/run';
import { wantsHelp, type CliOutput, type ExitCode } from './args';

export const MAINTENANCE_HELP = MAINTENANCE_USAGE.replaceAll('npm run maintenance -- ', 'uptime-monitor maintenance ');

export async function runMaintenance(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string, output: CliOutput): Promise<ExitCode> {
  if (wantsHelp(argv)) {
    output.log(MAINTENANCE_HELP);
    return 0;
  }
  return runMaintenanceCli([...argv], env, cwd, output);
}
