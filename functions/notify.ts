import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { createNotifyDeps } from '../lib/adapters/aws-notifier-deps';
import { createSesClient } from '../lib/adapters/ses-mailer';
import { notifyBatch, type NotifyDeps } from '../lib/app/notify-batch';
import { readFunctionEnvironment } from '../lib/config/environment';
import { loadMonitorsConfig } from '../lib/config/monitors';

const logger = new Logger({ serviceName: 'uptime-monitor' });
let deps: NotifyDeps | undefined;

/** Built once per container, on the first event: a bad environment or monitors file fails that invocation loudly. */
function createDeps(): NotifyDeps {
  const env = readFunctionEnvironment();
  return createNotifyDeps({
    dynamoDb: new DynamoDBClient({}),
    ses: createSesClient(),
    tableName: env.tableName,
    config: loadMonitorsConfig(env.monitorsFile),
    logger,
  });
}

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger))
  .handler((event, context) => notifyBatch(event, context, (deps ??= createDeps())));
