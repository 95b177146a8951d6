import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { OutboxSweeper } from '../domain/ports';

export interface LambdaOutboxSweeperOptions {
  client: LambdaClient;
  /** The notify function (NOTIFY_FUNCTION_NAME). */
  functionName: string;
  /** The event's `source` the notifier recognises (lib/app/outbox.ts OUTBOX_SWEEP_SOURCE). */
  source: string;
}

/**
 * Asks the notify function to sweep the outbox: an asynchronous Invoke (InvocationType Event),
 * which Lambda queues and retries; two sweeps at once deliver nothing twice (the ledger's claims).
 */
export class LambdaOutboxSweeper implements OutboxSweeper {
  constructor(private readonly options: LambdaOutboxSweeperOptions) {}

  async requestSweep(): Promise<void> {
    const output = await this.options.client.send(
      new InvokeCommand({ FunctionName: this.options.functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify({ source: this.options.source })) }),
    );
    if (output.StatusCode !== 202) throw new Error(`Lambda did not queue the outbox sweep (status ${output.StatusCode ?? 'none'})`);
  }
}
