import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { SHARD_EVENT_SOURCE, type ShardDispatcher, type ShardRequest } from '../domain/shards';

export interface LambdaShardDispatcherOptions {
  client: LambdaClient;
  /** The probe function itself (AWS_LAMBDA_FUNCTION_NAME): shards run in the function that plans them. */
  functionName: string;
}

/**
 * Hands a shard to a parallel invocation of the probe function: an asynchronous Invoke
 * (InvocationType Event), which Lambda queues, retries twice on failure, and may deliver more
 * than once, like the scheduled event itself; the shard's run summary makes a second delivery a
 * no-op. Resolves once Lambda has queued the event (202).
 */
export class LambdaShardDispatcher implements ShardDispatcher {
  constructor(private readonly options: LambdaShardDispatcherOptions) {}

  async dispatch(request: ShardRequest): Promise<void> {
    const output = await this.options.client.send(
      new InvokeCommand({
        FunctionName: this.options.functionName,
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify({ source: SHARD_EVENT_SOURCE, tick: request.tick, shard: request.shard })),
      }),
    );
    if (output.StatusCode !== 202) {
      throw new Error(`Lambda did not queue shard ${request.shard.index + 1}/${request.shard.count} of ${request.tick} (status ${output.StatusCode ?? 'none'})`);
    }
  }
}
