import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { createProbeDeps } from '../lib/adapters/aws-probe-deps';
import { probeRun, type ProbeDeps, type ProbeEvent } from '../lib/app/probe-run';
import type { ProbeRunReport } from '../lib/app/scheduled-run';
import { readProbeEnvironment } from '../lib/config/environment';
import { loadMonitorsConfig } from '../lib/config/monitors';

const logger = new Logger({ serviceName: 'uptime-monitor' });
let deps: ProbeDeps | undefined;

/** Built once per container, on the first event: a bad environment or monitors file fails that invocation loudly. */
function createDeps(): ProbeDeps {
  const env = readProbeEnvironment();
  return createProbeDeps(env, loadMonitorsConfig(env.MONITORS_FILE), logger);
}

export const handler = middy<ProbeEvent, ProbeRunReport>()
  .use(injectLambdaContext(logger))
  .handler((event, context) => probeRun(event, (deps ??= createDeps()), context));
