import { SendEmailCommand, SESClient, type SESClientConfig } from '@aws-sdk/client-ses';
import { PermanentDeliveryError } from '../domain/alert';
import type { EmailMessage, Mailer } from '../domain/ports';

/**
 * SES errors a retry cannot change: a recipient or sender the sandbox or the account refuses, a
 * configuration that does not exist. Everything else (throttling, 5xx, the network, a timeout) is
 * left as it is thrown, so the stream retries it.
 */
const PERMANENT_SES_ERRORS = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'ConfigurationSetDoesNotExistException',
  'ConfigurationSetSendingPausedException',
  'AccountSendingPausedException',
  'InvalidParameterValue',
]);

const CHARSET = 'UTF-8';

/** SES throttling (1 message a second in the sandbox) is retried by the SDK this many times in all. */
export const SES_MAX_ATTEMPTS = 5;

/** The SES client the notifier sends with: throttling is retried by the SDK, up to SES_MAX_ATTEMPTS attempts. */
export function createSesClient(config: SESClientConfig = {}): SESClient {
  return new SESClient({ maxAttempts: SES_MAX_ATTEMPTS, ...config });
}

export interface SesMailerOptions {
  /** Configure it with `maxAttempts` (about 5): SES throttling is retried by the SDK, not here. */
  client: SESClient;
}

/** Sends email through SES (`SendEmail`, text and HTML bodies). Errors propagate. */
export class SesMailer implements Mailer {
  private readonly client: SESClient;

  constructor(options: SesMailerOptions) {
    this.client = options.client;
  }

  async send(message: EmailMessage, options: { signal?: AbortSignal } = {}): Promise<{ messageId: string }> {
    const output = await this.sendEmail(message, options.signal);
    // SES always answers a successful send with a MessageId. Throwing here would make the caller
    // retry and send a second copy of a message that was accepted, so a missing id is only reported.
    return { messageId: output.MessageId ?? '(none)' };
  }

  /** SendEmail; an error SES will give again for the same message is a PermanentDeliveryError. */
  private async sendEmail(message: EmailMessage, signal: AbortSignal | undefined) {
    try {
      return await this.client.send(
        new SendEmailCommand({
          Source: message.from,
          Destination: { ToAddresses: message.to },
          Message: {
            Subject: { Data: message.subject, Charset: CHARSET },
            Body: {
              Text: { Data: message.text, Charset: CHARSET },
              Html: { Data: message.html, Charset: CHARSET },
            },
          },
        }),
        { abortSignal: signal },
      );
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      if (PERMANENT_SES_ERRORS.has(name)) {
        throw new PermanentDeliveryError(`SES refused the email: ${name}: ${(error as Error).message.split('\n')[0]}`, { cause: error });
      }
      throw error;
    }
  }
}
