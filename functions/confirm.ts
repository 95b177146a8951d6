import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { MonitorProber } from '../lib/adapters/monitor-prober';
import { confirmChecks, type ConfirmDeps } from '../lib/app/confirm';
import { readConfirmEnvironment } from '../lib/config/environment';
import type { ConfirmAnswer } from '../lib/domain/ports';

const logger = new Logger({ serviceName: 'uptime-monitor' });
let deps: ConfirmDeps | undefined;

/** Built once per container, on the first request: a bad environment fails that invocation loudly. */
function createDeps(): ConfirmDeps {
  const env = readConfirmEnvironment();
  return {
    prober: MonitorProber.create({ blockPrivateAddresses: env.BLOCK_PRIVATE_ADDRESSES === 'true', sourceAddress: env.PROBE_SOURCE_ADDRESS }),
    region: env.AWS_REGION,
    now: () => new Date(),
    concurrency: env.PROBE_CONCURRENCY,
    logger,
  };
}

/**
 * A confirmer region's function, invoked synchronously by the home probe with its suspects
 * (lib/app/confirm.ts): checks each once and answers. A bad request throws, so the home probe
 * sees a FunctionError and this region abstains.
 */
export const handler = middy<unknown, ConfirmAnswer>()
  .use(injectLambdaContext(logger))
  .use({ onError: (request) => logger.error('confirm request failed', { error: request.error ?? undefined }) })
  .handler((event) => confirmChecks(event, (deps ??= createDeps())));
