/** `uptime-monitor notify:test --channel NAME [...]`: tools/notify-test, under the CLI's name. */
import { NOTIFY_TEST_USAGE } from '../notify-test/options';
import { runNotifyTestCli } from '../notify-test/run';
import { wantsHelp, type CliOutput, type ExitCode } from './args';

export const NOTIFY_TEST_HELP = NOTIFY_TEST_USAGE.replaceAll('npm run notify:test -- ', 'uptime-monitor notify:test ');

export async function runNotifyTest(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string, output: CliOutput): Promise<ExitCode> {
  if (wantsHelp(argv)) {
    output.log(NOTIFY_TEST_HELP);
    return 0;
  }
  return runNotifyTestCli([...argv], env, cwd, output);
}
