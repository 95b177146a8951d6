import { SendEmailCommand, type SESClient } from '@aws-sdk/client-ses';
import type { EmailMessage, Mailer } from '../domain/ports';

const CHARSET = 'UTF-8';

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
    const output = await this.client.send(
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
      { abortSignal: options.signal },
    );
    // SES always answers a successful send with a MessageId. Throwing here would make the caller
    // retry and send a second copy of a message that was accepted, so a missing id is only reported.
    return { messageId: output.MessageId ?? '(none)' };
  }
}
