import { findUnreachableTargets } from '../../deploy/reachability';
import { parseMonitorsConfig } from '../../lib/config/monitors';
import { ConfigError } from '../../lib/domain/errors';
import { thrownBy } from '../support/thrown';

const HEADER = 'notify: { from: monitor@example.com, to: [oncall@example.com] }\n';
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const parse = (text: string) => parseMonitorsConfig(`${HEADER}${text}`, 'monitors.yml');

function refusal(text: string): string {
  const error = thrownBy(() => parse(text));
  expect(error).toBeInstanceOf(ConfigError);
  return (error as Error).message;
}

const CHANNELS = `channels:
  team-slack: { type: slack, url: { ssm: /uptime/prod/slack-webhook } }
  hooks: { type: webhook, url: "https://hooks.example.com/uptime", secret: { env: WEBHOOK_SECRET } }
  pager: { type: pagerduty, routingKey: { secretsManager: uptime/pagerduty } }
  chat: { type: discord, url: { env: DISCORD_URL } }
  office: { type: teams, url: "https://example.webhook.office.com/workflows/x" }
  sms: { type: sns, topicArn: "arn:aws:sns:eu-west-1:123456789012:oncall" }
`;

describe('channels, alerts and reminders in monitors.yml', () => {
  it('reads the contract: named channels, default alerts, sendOnResolved, remindEvery, a monitor that overrides them', () => {
    const config = parse(`${CHANNELS}defaults:
  alerts: [email, team-slack]
  sendOnResolved: false
  remindEvery: 1h
monitors:
  - { id: payments-api, url: "https://api.example.com/health", alerts: [pager, hooks] }
  - { id: web, url: "https://www.example.com", sendOnResolved: true, remindEvery: 15m }
`);
    expect(config.channels.map((channel) => `${channel.name}:${channel.type}`)).toEqual([
      'email:email', 'team-slack:slack', 'hooks:webhook', 'pager:pagerduty', 'chat:discord', 'office:teams', 'sms:sns',
    ]);
    const [payments, web] = config.monitors;
    expect(payments).toMatchObject({ alerts: ['pager', 'hooks'], sendOnResolved: false, remindEveryMs: 3_600_000 });
    expect(web).toMatchObject({ alerts: ['email', 'team-slack'], sendOnResolved: true, remindEveryMs: 900_000 });
  });

  it('alerts by email only, on recovery too and without reminders, when nothing is said', () => {
    const [monitor] = parse('monitors:\n  - { id: a, url: "https://a.example.com" }\n').monitors;
    expect(monitor).toMatchObject({ alerts: ['email'], sendOnResolved: true });
    expect(monitor?.remindEveryMs).toBeUndefined();
  });

  it.each([
    ['an unknown channel in a monitor', `${CHANNELS}monitors:\n  - { id: a, url: "https://a.example.com", alerts: [email, pagr] }\n`, "monitors.yml: monitors[0] (a).alerts[1]: unknown channel 'pagr'; the channels are email, team-slack"],
    ['an unknown channel in the defaults', `defaults: { alerts: [slack] }\nmonitors:\n  - { id: a, url: "https://a.example.com" }\n`, "monitors.yml: defaults.alerts[0]: unknown channel 'slack'"],
    ['a channel without its url', 'channels:\n  s: { type: slack }\nmonitors:\n  - { id: a, url: "https://a.example.com" }\n', 'monitors.yml: channels.s.url: is required'],
    ['a webhook without its secret', 'channels:\n  h: { type: webhook, url: "https://h.example.com" }\nmonitors:\n  - { id: a, url: "https://a.example.com" }\n', 'monitors.yml: channels.h.secret: is required'],
    ['a webhook secret in the wrong format', 'channels:\n  h: { type: webhook, url: "https://h.example.com", secret: hunter2 }\nmonitors:\n  - { id: a, url: "https://a.example.com" }\n', 'monitors.yml: channels.h.secret: must be a Standard Webhooks secret: whsec_ followed by the base64 of 24 to 64 random bytes'],
    ['an unknown channel type', 'channels:\n  x: { type: carrier-pigeon }\nmonitors:\n  - { id: a, url: "https://a.example.com" }\n', 'monitors.yml: channels.x'],
    ['a channel named email', 'channels:\n  email: { type: slack, url: "https://hooks.slack.com/x" }\nmonitors:\n  - { id: a, url: "https://a.example.com" }\n', "monitors.yml: channels.email: the name 'email' is the built-in email channel"],
    ['a reminder more often than a minute', 'monitors:\n  - { id: a, url: "https://a.example.com", remindEvery: 30s }\n', "monitors.yml: monitors[0] (a).remindEvery: '30s' must be between 1m and 7d"],
    ['an SNS topic that is not an ARN', 'channels:\n  t: { type: sns, topicArn: oncall }\nmonitors:\n  - { id: a, url: "https://a.example.com" }\n', 'monitors.yml: channels.t.topicArn: must be an SNS topic ARN'],
  ])('refuses %s, naming the field', (_, text, message) => {
    expect(refusal(text)).toContain(message);
  });

  it('accepts a Standard Webhooks secret written out (for the local stage)', () => {
    const config = parse(`channels:\n  h: { type: webhook, url: "http://127.0.0.1:9000/hook", secret: ${SECRET} }\nmonitors:\n  - { id: a, url: "https://a.example.com", alerts: [h] }\n`);
    expect(config.channels[1]).toEqual({ name: 'h', type: 'webhook', url: 'http://127.0.0.1:9000/hook', secret: SECRET });
  });

  it('refuses a channel URL on loopback for a deployed stage, as it refuses monitor URLs', () => {
    const config = parse(`channels:\n  h: { type: webhook, url: "http://127.0.0.1:9000/hook", secret: ${SECRET} }\n  p: { type: pagerduty, routingKey: k, url: "http://localhost:9001/v2/enqueue" }\nmonitors:\n  - { id: a, url: "https://a.example.com", alerts: [h, p] }\n`);
    expect(findUnreachableTargets(config, 'monitors.yml')).toEqual([
      expect.stringMatching(/^monitors\.yml: channels\.h\.url: 127\.0\.0\.1 is a loopback address/),
      expect.stringMatching(/^monitors\.yml: channels\.p\.url: localhost/),
    ]);
  });
});
