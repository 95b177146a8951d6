/**
 * `uptime-monitor status [--stage S] [--region R] [--url URL]`: every monitor's state, since when,
 * 24-hour uptime and last failure reason, read from the API of npm start or of a deployed stage.
 */
import { quoteInput } from '../../lib/domain/errors';
import { UsageError, nonEmpty, parseArgs, wantsHelp, type CliOutput, type ExitCode } from './args';
import { StatusApiError, cloudFormationClient, findStageApi, readStatusRows, type ApiLocation } from './status-api';
import { formatStatusTable, summarizeStates } from './status-table';

const COMMAND = 'status';
const LOCAL_STAGE = 'local';
/** npm start's API port when API_PORT is not set (tools/local/local-environment.ts). */
const DEFAULT_API_PORT = 3000;
/** sls deploy's region when none is given (serverless.yml's provider.region). */
const DEFAULT_REGION = 'us-east-1';
const STAGE_NAME = /^[a-zA-Z0-9-]{1,64}$/;
const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d$/;

export const STATUS_USAGE = `Usage: uptime-monitor status [--stage local|STAGE] [--region REGION] [--url URL]
Prints a table of every monitor: its id, name, state, since when (how long ago, and the time in
UTC), its uptime over the last 24 hours and the reason of its last failed check, as the API
answers GET /monitors, /monitors/{id} and /monitors/{id}/uptime?window=24h.
  --stage NAME     local (default): the API npm start runs on 127.0.0.1 at API_PORT (${DEFAULT_API_PORT});
                   any other stage: the HttpApiUrl output of its stack uptime-monitor-<stage>, read
                   with your own AWS credentials (cloudformation:DescribeStacks)
  --region REGION  the deployed stage's region (default AWS_REGION, AWS_DEFAULT_REGION, then ${DEFAULT_REGION})
  --url URL        the API at this URL instead (no stack is read)
  --help           print this
Exit codes: 0 printed, 1 the API could not be found or read, 2 bad options.`;

type StatusTarget = { kind: 'api'; api: ApiLocation } | { kind: 'stage'; stage: string; region: string };

/** `now` is the wall clock (the table's "ago"); a test may fix it. */
export async function runStatus(argv: readonly string[], env: NodeJS.ProcessEnv, output: CliOutput, now: () => Date = () => new Date()): Promise<ExitCode> {
  if (wantsHelp(argv)) {
    output.log(STATUS_USAGE);
    return 0;
  }
  let target: StatusTarget;
  try {
    target = readTarget(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    output.error(`${COMMAND}: ${error.message}`);
    return 2;
  }
  try {
    const api = target.kind === 'api' ? target.api : await locateStage(target.stage, target.region);
    const rows = await readStatusRows(api);
    for (const line of formatStatusTable(rows, now().getTime())) output.log(line);
    output.log(`${summarizeStates(rows)}; ${api.where}`);
    return 0;
  } catch (error) {
    if (!(error instanceof StatusApiError)) throw error;
    output.error(`${COMMAND}: ${error.message}`);
    return 1;
  }
}

async function locateStage(stage: string, region: string): Promise<ApiLocation> {
  const client = cloudFormationClient(region);
  try {
    return await findStageApi(stage, region, client);
  } finally {
    client.destroy();
  }
}

function readTarget(argv: readonly string[], env: NodeJS.ProcessEnv): StatusTarget {
  const args = parseArgs(argv, { values: ['--stage', '--region', '--url'] });
  if (args.positional.length > 0) throw new UsageError(`unexpected argument ${quoteInput(args.positional[0] as string)}; see --help`);
  const url = args.values.get('--url');
  const stage = args.values.get('--stage');
  const region = args.values.get('--region');
  if (url !== undefined) {
    if (stage !== undefined || region !== undefined) throw new UsageError('--url names the API itself: give it without --stage or --region');
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new UsageError(`--url ${quoteInput(url)} is not an http(s) URL`);
    const base = url.replace(/\/+$/, '');
    return { kind: 'api', api: { url: base, where: `the API at ${base}`, hint: 'is it the uptime monitor\'s API, and up?' } };
  }
  if (stage !== undefined && !STAGE_NAME.test(stage)) throw new UsageError(`--stage ${quoteInput(stage)} is not a stage name (letters, digits and -)`);
  if (stage === undefined || stage === LOCAL_STAGE) {
    if (region !== undefined) throw new UsageError('--region applies to a deployed stage only (--stage NAME)');
    const port = nonEmpty(env.API_PORT) ?? String(DEFAULT_API_PORT);
    if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65_535) throw new UsageError(`environment variable API_PORT: ${quoteInput(port)} is not a TCP port`);
    const base = `http://127.0.0.1:${Number(port)}`;
    return { kind: 'api', api: { url: base, where: `local (npm start, ${base})`, hint: 'is npm start running? (API_PORT is its port)' } };
  }
  const chosen = region ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION) ?? DEFAULT_REGION;
  if (!REGION_NAME.test(chosen)) throw new UsageError(`--region ${quoteInput(chosen)} is not an AWS region such as eu-west-1`);
  return { kind: 'stage', stage, region: chosen };
}
