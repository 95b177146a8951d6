import { InvokeCommand, LambdaClient, type LambdaClientConfig } from '@aws-sdk/client-lambda';
import { parseConfirmAnswer } from '../app/confirm';
import type { ConfirmAnswer, ConfirmRequest, Confirmer } from '../domain/ports';

/** A confirmer function answered with an error of its own (a FunctionError: it threw, or Lambda stopped it). */
export class ConfirmerFunctionError extends Error {
  override readonly name = 'ConfirmerFunctionError';
}

export interface LambdaConfirmerOptions {
  /** The confirm function's name, the same in every confirmer region: `<stackName>-confirm`. */
  functionName: string;
  /**
   * Settings of every region's client besides its region (endpoint and credentials in tests).
   * `maxAttempts` defaults to 1: an ask is bounded by a deadline of seconds, which a retry's backoff
   * mostly spends, and a confirmer that cannot answer abstains, which never suppresses an alert.
   */
  clientConfig?: Omit<LambdaClientConfig, 'region'>;
  /** By region: the Lambda endpoint of that region's confirmer (`npm start`'s serverless-offline ones); others use AWS's. */
  endpoints?: Readonly<Record<string, string>>;
}

/**
 * Asks the confirm function of a region through a synchronous Invoke (InvocationType
 * RequestResponse), one LambdaClient per region, built on first use and kept. A FunctionError in
 * the answer, an answer that is not a confirm answer, and any SDK error reject; `signal` aborts the
 * request in flight.
 */
export class LambdaConfirmer implements Confirmer {
  private readonly clients = new Map<string, LambdaClient>();

  constructor(private readonly options: LambdaConfirmerOptions) {}

  async confirm(region: string, request: ConfirmRequest, signal: AbortSignal): Promise<ConfirmAnswer> {
    const output = await this.client(region).send(
      new InvokeCommand({ FunctionName: this.options.functionName, InvocationType: 'RequestResponse', Payload: Buffer.from(JSON.stringify(request)) }),
      { abortSignal: signal },
    );
    const text = output.Payload === undefined ? '' : Buffer.from(output.Payload).toString('utf8');
    if (output.FunctionError !== undefined) {
      throw new ConfirmerFunctionError(`the confirmer in ${region} failed (${output.FunctionError}): ${describeFunctionError(text)}`);
    }
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch (error) {
      throw new ConfirmerFunctionError(`the confirmer in ${region} answered with no JSON (status ${output.StatusCode ?? 'none'})`, { cause: error });
    }
    return parseConfirmAnswer(payload);
  }

  /** Closes every region's client (their sockets). */
  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }

  private client(region: string): LambdaClient {
    let client = this.clients.get(region);
    if (client === undefined) {
      const endpoint = this.options.endpoints?.[region];
      client = new LambdaClient({ maxAttempts: 1, ...this.options.clientConfig, ...(endpoint ? { endpoint } : {}), region });
      this.clients.set(region, client);
    }
    return client;
  }
}

/** The error's type and message from a FunctionError's payload (`{errorType, errorMessage}`), cut short. */
function describeFunctionError(text: string): string {
  try {
    const parsed = JSON.parse(text) as { errorType?: unknown; errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return `${typeof parsed.errorType === 'string' ? `${parsed.errorType}: ` : ''}${parsed.errorMessage}`.slice(0, 300);
  } catch {
    // not JSON: the text itself
  }
  return text.slice(0, 300) || 'no detail';
}
