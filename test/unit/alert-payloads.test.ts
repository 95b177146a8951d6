import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import type { Alert, CertificateAlert, OutageAlert } from '../../lib/domain/alert';
import {
  ADAPTIVE_CARD_VERSION,
  DISCORD_LIMITS,
  MAX_ALERT_NAME_LENGTH,
  PAGERDUTY_LIMITS,
  SLACK_LIMITS,
  SNS_SUBJECT_MAX_LENGTH,
  discordEmbedLength,
  fitText,
  isWebhookSecret,
  renderDiscordMessage,
  renderPagerDutyEvent,
  renderSlackMessage,
  renderSnsNotice,
  renderTeamsMessage,
  renderWebhookBody,
  type AdaptiveTextRun,
  type SlackMessage,
} from '../../lib/domain/alert-payloads';
import { MAX_REASON_LENGTH } from '../../lib/domain/email';
import type { Vantage } from '../../lib/domain/types';

const outage: Alert = {
  kind: 'monitor.down',
  key: 'payments-api#2024-05-04T16:00:00.000Z#2024-05-04T16:01:00.000Z',
  monitor: { id: 'payments-api', name: 'Payments API', url: 'https://api.example.com/health' },
  state: 'DOWN',
  previousState: 'UP',
  startedAt: '2024-05-04T16:00:00.000Z',
  confirmedAt: '2024-05-04T16:01:00.000Z',
  reason: 'http-status: expected 200, got 503',
  previousStateSeconds: 3 * 86_400 + 4 * 3600,
  outageKey: 'payments-api#2024-05-04T16:00:00.000Z',
  timestamp: '2024-05-04T16:01:02.000Z',
};

const recovery: Alert = {
  ...outage,
  kind: 'monitor.up',
  key: 'payments-api#2024-05-04T16:04:10.000Z#2024-05-04T16:05:00.000Z',
  state: 'UP',
  previousState: 'DOWN',
  startedAt: '2024-05-04T16:04:10.000Z',
  confirmedAt: '2024-05-04T16:05:10.000Z',
  reason: null,
  previousStateSeconds: 250,
  timestamp: '2024-05-04T16:05:11.000Z',
};

const reminder: Alert = {
  ...outage,
  kind: 'monitor.reminder',
  key: 'payments-api#2024-05-04T16:00:00.000Z#reminder-1',
  confirmedAt: '2024-05-04T18:05:00.000Z',
  previousStateSeconds: 2 * 3600 + 5 * 60,
  timestamp: '2024-05-04T18:05:00.000Z',
};

const ALERTS: Record<OutageAlert['kind'], OutageAlert> = { 'monitor.down': outage, 'monitor.up': recovery, 'monitor.reminder': reminder };
const withStatusPage = <A extends Alert>(alert: A): A => ({ ...alert, statusPageUrl: 'https://status.example.com/?team=a&view=b' });

/** A reason a hostile target can make: 10 KB of mentions, markup, links, entities and line breaks. */
const HOSTILE_REASON = Array.from(
  { length: 80 },
  (_, index) => `<!channel> @everyone @here <@U0123> <script>alert(${index})</script> [click](https://evil.example/) *bold* \`code\` & &amp;\r\n`,
)
  .join('')
  .padEnd(10_240, '>');
const HOSTILE_NAME = `<!here> Ops & <@U999> [x](https://evil.example/) ${'N'.repeat(300)}`;
const hostile = (alert: OutageAlert): OutageAlert => ({ ...alert, monitor: { ...alert.monitor, name: HOSTILE_NAME }, reason: alert.reason === null ? null : HOSTILE_REASON });

describe('Slack', () => {
  it.each([
    ['monitor.down', 'Payments API is DOWN', '*UP before*\n3d 4h', '[DOWN] Payments API is DOWN: http-status: expected 200, got 503'],
    ['monitor.up', 'Payments API is UP again', '*Outage lasted*\n4m 10s', '[UP] Payments API is UP again'],
    ['monitor.reminder', 'Payments API is still DOWN', '*Down for*\n2h 5m', '[STILL DOWN] Payments API is still DOWN: http-status: expected 200, got 503'],
  ] as const)('%s: a header, the facts, the reason when down', (kind, headline, durationField, fallback) => {
    const hasReason = kind !== 'monitor.up';
    const message = renderSlackMessage(ALERTS[kind]);

    expect(message.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: headline } });
    const facts = message.blocks[1];
    expect(facts?.type).toBe('section');
    const fieldTexts = (facts && 'fields' in facts ? (facts.fields ?? []) : []).map((field) => field.text);
    expect(fieldTexts).toContain('*Monitor*\nPayments API (payments-api)');
    expect(fieldTexts).toContain(durationField);
    expect(fieldTexts).toContain(kind === 'monitor.up' ? '*State*\nUP (was DOWN)' : '*State*\nDOWN (was UP)');
    expect(fieldTexts).toContain('*URL*\nhttps://api.example.com/health');
    const reasonBlock = message.blocks.find((block) => block.type === 'section' && block.text?.text.startsWith('*Reason*'));
    expect(reasonBlock !== undefined).toBe(hasReason);
    expect(message.text).toBe(fallback);
    expect(message.blocks.some((block) => block.type === 'context')).toBe(false);
  });

  it('links to the status page when its URL is known, the URL escaped and its | encoded', () => {
    const message = renderSlackMessage({ ...outage, statusPageUrl: 'https://status.example.com/?a=1&b=<2>|3' });
    expect(message.blocks.at(-1)).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: '<https://status.example.com/?a=1&amp;b=&lt;2&gt;%7C3|Status page>' }],
    });
  });

  it('says the duration is unknown by leaving it out', () => {
    const message = renderSlackMessage({ ...outage, previousStateSeconds: null });
    expect(JSON.stringify(message)).not.toMatch(/before\*/);
  });

  it.each(Object.keys(ALERTS) as Array<OutageAlert['kind']>)('%s: a hostile name and reason are escaped, one line, and within Block Kit limits', (kind) => {
    const message = renderSlackMessage(withStatusPage(hostile(ALERTS[kind])));
    expectSlackWithinLimits(message);
    expectSlackEscaped(message);
    const serialised = JSON.stringify(message);
    for (const mention of ['<!channel>', '<@U0123>', '<script>', '<!here>']) {
      const inMrkdwn = mrkdwnTexts(message).some((text) => text.includes(mention));
      expect(inMrkdwn).toBe(false);
    }
    if (kind !== 'monitor.up') expect(serialised).toContain('&lt;!channel&gt; @everyone');
    expect(mrkdwnTexts(message).every((text) => !/\r/.test(text))).toBe(true);
  });
});

function mrkdwnTexts(message: SlackMessage): string[] {
  const texts = [message.text];
  for (const block of message.blocks) {
    if (block.type === 'section') texts.push(...[block.text, ...(block.fields ?? [])].flatMap((text) => (text?.type === 'mrkdwn' ? [text.text] : [])));
  }
  return texts;
}

function expectSlackWithinLimits(message: SlackMessage): void {
  expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
  for (const block of message.blocks) {
    if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.header);
    if (block.type === 'section') {
      expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      expect((block.fields ?? []).length).toBeLessThanOrEqual(10);
      for (const field of block.fields ?? []) expect(field.text.length).toBeLessThanOrEqual(SLACK_LIMITS.field);
    }
  }
}

/** Every `<` and `>` in mrkdwn is ours (none outside the status link), every `&` starts one of the three entities. */
function expectSlackEscaped(message: SlackMessage): void {
  for (const text of mrkdwnTexts(message)) {
    expect(text).not.toMatch(/[<>]/);
    expect(text.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
  }
}

describe('Discord', () => {
  it.each([
    ['monitor.down', 'Payments API is DOWN', 0xd92d20, 'UP before', '3d 4h'],
    ['monitor.up', 'Payments API is UP again', 0x12b76a, 'Outage lasted', '4m 10s'],
    ['monitor.reminder', 'Payments API is still DOWN', 0xf79009, 'Down for', '2h 5m'],
  ] as const)('%s: one embed, red, green or orange, no mention allowed to ping', (kind, title, expectedColor, durationName, duration) => {
    const message = renderDiscordMessage(ALERTS[kind]);

    expect(message.allowed_mentions).toEqual({ parse: [] });
    expect(message.embeds).toHaveLength(1);
    const [embed] = message.embeds;
    expect(embed?.title).toBe(title);
    expect(embed?.color).toBe(expectedColor);
    expect(embed?.timestamp).toBe(ALERTS[kind].timestamp);
    expect(embed?.fields).toContainEqual({ name: durationName, value: duration, inline: true });
    expect(embed?.fields).toContainEqual({ name: 'Monitor', value: 'Payments API \\(payments-api\\)', inline: true });
    expect(embed?.description).toBe(kind === 'monitor.up' ? undefined : '**Reason:** http-status: expected 200, got 503');
    expect(embed?.url).toBeUndefined();
  });

  it('makes the title a link to the status page when its URL is known', () => {
    expect(renderDiscordMessage(withStatusPage(outage)).embeds[0]?.url).toBe('https://status.example.com/?team=a&view=b');
  });

  it.each(Object.keys(ALERTS) as Array<OutageAlert['kind']>)('%s: a hostile name and reason are escaped and within the embed limits', (kind) => {
    const message = renderDiscordMessage(withStatusPage(hostile(ALERTS[kind])));
    const embed = message.embeds[0]!;

    expect(message.allowed_mentions).toEqual({ parse: [] });
    expect(embed.title.length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
    expect(embed.description?.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.description);
    expect(embed.fields.length).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
    for (const field of embed.fields) {
      expect(field.name.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldName);
      expect(field.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
    }
    expect(discordEmbedLength(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.total);
    for (const text of [embed.title, (embed.description ?? '').replace(/^\*\*Reason:\*\* /, ''), ...embed.fields.map((field) => field.value)]) {
      // Once every escaped pair is taken out, no Markdown or mention syntax is left.
      expect(text.replace(/\\./g, '')).not.toMatch(/[\\*_~`|<>[\]()]/);
      expect(text).not.toMatch(/[\r\n]/);
    }
    if (kind !== 'monitor.up') expect(embed.description).toContain('\\<@U0123\\>');
  });
});

describe('Teams', () => {
  it.each([
    ['monitor.down', 'Payments API is DOWN', 'Attention'],
    ['monitor.up', 'Payments API is UP again', 'Good'],
    ['monitor.reminder', 'Payments API is still DOWN', 'Warning'],
  ] as const)('%s: a Workflows message carrying one Adaptive Card', (kind, headline, color) => {
    const message = renderTeamsMessage(ALERTS[kind]);

    expect(message.type).toBe('message');
    expect(message.attachments).toHaveLength(1);
    const [attachment] = message.attachments;
    expect(attachment?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const card = attachment!.content;
    expect(card).toMatchObject({ $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: ADAPTIVE_CARD_VERSION });
    expect(card.body[0]).toEqual({ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: headline, weight: 'Bolder', size: 'Large', color }] });
    const runs = textRuns(card.body);
    expect(runs).toContain('Payments API');
    expect(runs.includes('http-status: expected 200, got 503')).toBe(kind !== 'monitor.up');
    expect(card.actions).toBeUndefined();
  });

  it('opens the status page from an action when its URL is known', () => {
    const card = renderTeamsMessage(withStatusPage(outage)).attachments[0]!.content;
    expect(card.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Status page', url: 'https://status.example.com/?team=a&view=b' }]);
  });

  it('puts hostile text only in TextRuns (never parsed as Markdown) and stays far under the 28 KB message limit', () => {
    const message = renderTeamsMessage(hostile(outage));
    const card = message.attachments[0]!.content;
    const facts = card.body.flatMap((element) => (element.type === 'FactSet' ? element.facts.map((fact) => fact.value) : []));

    expect(facts.some((value) => value.includes('<!channel>') || value.includes('Ops &'))).toBe(false);
    expect(textRuns(card.body).some((text) => text.startsWith('<!channel> @everyone'))).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThan(8 * 1024);
  });
});

function textRuns(body: ReturnType<typeof renderTeamsMessage>['attachments'][number]['content']['body']): string[] {
  return body.flatMap((element) => (element.type === 'RichTextBlock' ? element.inlines.map((run: AdaptiveTextRun) => run.text) : []));
}

describe('webhook', () => {
  it.each(Object.keys(ALERTS) as Array<OutageAlert['kind']>)('%s: exactly the documented body', (kind) => {
    const alert = withStatusPage(ALERTS[kind]);
    expect(renderWebhookBody(alert)).toStrictEqual({
      type: kind,
      timestamp: alert.timestamp,
      data: {
        monitor: { id: 'payments-api', name: 'Payments API', url: 'https://api.example.com/health' },
        state: alert.state,
        previousState: alert.previousState,
        startedAt: alert.startedAt,
        confirmedAt: alert.confirmedAt,
        reason: alert.reason,
        previousStateSeconds: alert.previousStateSeconds,
      },
    });
  });

  it('keeps a URL that is a secret reference as null and caps the reason, leaving it otherwise as it was', () => {
    const body = renderWebhookBody({ ...outage, monitor: { ...outage.monitor, url: null }, reason: HOSTILE_REASON });
    expect(body.data.monitor.url).toBeNull();
    expect(body.data.reason).toHaveLength(MAX_REASON_LENGTH);
    expect(body.data.reason?.startsWith('<!channel> @everyone')).toBe(true);
    expect(body.data.reason?.endsWith('…')).toBe(true);
  });
});

describe('the dependents an outage names as also affected', () => {
  const AFFECTED = [
    { id: 'payments-api', name: 'Payments API' },
    { id: 'checkout', name: 'Checkout' },
  ];
  const parent: OutageAlert = { ...outage, monitor: { id: 'database', name: 'Database', url: 'https://db.example.com/health' }, affected: AFFECTED };
  const ALSO_AFFECTED = 'Payments API, Checkout';

  it.each([false, true])('Slack: a section names them (status page known: %s)', (statusPage) => {
    const message = renderSlackMessage(statusPage ? withStatusPage(parent) : parent);
    expect(message.blocks).toContainEqual({ type: 'section', text: { type: 'mrkdwn', text: `*Also affected*\n${ALSO_AFFECTED}` } });
    expect(message.blocks.some((block) => block.type === 'context')).toBe(statusPage);
  });

  it.each([false, true])('Discord: a field names them (status page known: %s)', (statusPage) => {
    const embed = renderDiscordMessage(statusPage ? withStatusPage(parent) : parent).embeds[0]!;
    expect(embed.fields).toContainEqual({ name: 'Also affected', value: ALSO_AFFECTED, inline: false });
    expect(embed.url).toBe(statusPage ? 'https://status.example.com/?team=a&view=b' : undefined);
  });

  it.each([false, true])('Teams: a TextRun names them (status page known: %s)', (statusPage) => {
    const card = renderTeamsMessage(statusPage ? withStatusPage(parent) : parent).attachments[0]!.content;
    expect(card.body).toContainEqual({
      type: 'RichTextBlock',
      inlines: [
        { type: 'TextRun', text: 'Also affected: ', weight: 'Bolder' },
        { type: 'TextRun', text: ALSO_AFFECTED },
      ],
    });
    expect(card.actions?.[0]?.url).toBe(statusPage ? 'https://status.example.com/?team=a&view=b' : undefined);
  });

  it('webhook: `affected` lists them by id and name, as given', () => {
    expect(renderWebhookBody(withStatusPage(parent)).data.affected).toStrictEqual(AFFECTED);
  });

  it.each([false, true])('PagerDuty: custom_details names them (status page known: %s)', (statusPage) => {
    const event = renderPagerDutyEvent(statusPage ? withStatusPage(parent) : parent, 'R0UTING');
    expect(event.event_action === 'trigger' && event.payload.custom_details.also_affected).toBe(ALSO_AFFECTED);
    expect(event.event_action === 'trigger' && event.links).toEqual(statusPage ? [{ href: 'https://status.example.com/?team=a&view=b', text: 'Status page' }] : undefined);
  });

  it.each([false, true])('SNS: a line names them (status page known: %s)', (statusPage) => {
    const lines = renderSnsNotice(statusPage ? withStatusPage(parent) : parent).message.split('\n');
    expect(lines).toContain(`Also affected: ${ALSO_AFFECTED}`);
    expect(lines.includes('Status page: https://status.example.com/?team=a&view=b')).toBe(statusPage);
  });

  it('no channel names any for an outage without them, nor for a recovery or a reminder that carried some', () => {
    for (const alert of [outage, { ...outage, affected: [] }, { ...recovery, affected: AFFECTED }, { ...reminder, affected: AFFECTED }]) {
      const rendered = JSON.stringify([renderSlackMessage(alert), renderDiscordMessage(alert), renderTeamsMessage(alert), renderPagerDutyEvent(alert, 'R'), renderSnsNotice(alert)]);
      expect(rendered).not.toMatch(/also.affected/i);
      expect('affected' in renderWebhookBody(alert).data).toBe(false);
    }
  });

  it('escapes hostile names for each service, each on one line and capped, and stays within every limit', () => {
    const names = [HOSTILE_NAME, '<!channel> *x* [y](https://evil.example/)\r\nState: UP', ...Array.from({ length: 40 }, (_, index) => `Dependent ${index} ${'n'.repeat(180)}`)];
    const alert: OutageAlert = withStatusPage({ ...hostile(parent), affected: names.map((name, index) => ({ id: `d${index}`, name })) });
    const slack = renderSlackMessage(alert);
    expectSlackWithinLimits(slack);
    expectSlackEscaped(slack);
    const embed = renderDiscordMessage(alert).embeds[0]!;
    const field = embed.fields.find((candidate) => candidate.name === 'Also affected')!;
    expect(field.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
    expect(field.value.replace(/\\./g, '')).not.toMatch(/[\\*_~`|<>[\]()]/);
    expect(discordEmbedLength(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.total);
    const sns = renderSnsNotice(alert).message.split('\n');
    expect(sns.filter((line) => line.startsWith('State:'))).toHaveLength(1);
    expect(sns.find((line) => line.startsWith('Also affected: '))).toContain('Dependent 39');
    expect(Buffer.byteLength(JSON.stringify(renderTeamsMessage(alert)))).toBeLessThan(28 * 1024);
  });
});

describe('where an outage was seen from (multi-region confirmation)', () => {
  const HOME: Vantage = { region: 'us-east-1', ok: false, reason: 'http-status', latencyMs: 120 };
  const EU_FAILED: Vantage = { region: 'eu-west-1', ok: false, reason: 'timeout', latencyMs: 10_000 };
  const EU_OK: Vantage = { region: 'eu-west-1', ok: true, latencyMs: 90 };
  const AP_OK: Vantage = { region: 'ap-southeast-1', ok: true, latencyMs: 240 };
  const SA_ABSTAINED: Vantage = { region: 'sa-east-1', ok: null, reason: 'abstained: deadline' };
  const confirmed: OutageAlert = { ...outage, vantage: { points: [HOME, EU_FAILED, AP_OK], quorumMet: true } };
  // alertOnRegional: an outage declared though only a minority failed; one confirmer gave no answer.
  const regional: OutageAlert = { ...outage, vantage: { points: [HOME, EU_OK, AP_OK, SA_ABSTAINED], quorumMet: false } };
  const CONFIRMED_LEAD = 'Confirmed from 2 of 3 vantage points';
  const CONFIRMED_DETAIL = 'us-east-1 (http-status), eu-west-1 (timeout) failing; ap-southeast-1 reachable';
  const REGIONAL_LEAD = 'Seen from 1 of 4 vantage points only';
  const REGIONAL_DETAIL = 'us-east-1 (http-status) failing; eu-west-1, ap-southeast-1 reachable; sa-east-1 (no answer)';

  it.each([
    ['confirmed', confirmed, CONFIRMED_LEAD, CONFIRMED_DETAIL],
    ['on a minority, with an abstention', regional, REGIONAL_LEAD, REGIONAL_DETAIL],
  ] as const)('Slack: a section says where it was seen from (%s)', (_label, alert, lead, detail) => {
    const message = renderSlackMessage(alert);
    expect(message.blocks).toContainEqual({ type: 'section', text: { type: 'mrkdwn', text: `*${lead}*\n${detail}` } });
    expectSlackWithinLimits(message);
    expectSlackEscaped(message);
  });

  it.each([
    ['confirmed', confirmed, CONFIRMED_LEAD, CONFIRMED_DETAIL],
    ['on a minority, with an abstention', regional, REGIONAL_LEAD, REGIONAL_DETAIL],
  ] as const)('Discord: a field says it, escaped (%s)', (_label, alert, lead, detail) => {
    const embed = renderDiscordMessage(alert).embeds[0]!;
    expect(embed.fields).toContainEqual({ name: lead, value: detail.replace(/[()]/g, '\\$&'), inline: false });
  });

  it.each([
    ['confirmed', confirmed, CONFIRMED_LEAD, CONFIRMED_DETAIL],
    ['on a minority, with an abstention', regional, REGIONAL_LEAD, REGIONAL_DETAIL],
  ] as const)('Teams: a TextRun says it (%s)', (_label, alert, lead, detail) => {
    const card = renderTeamsMessage(alert).attachments[0]!.content;
    expect(card.body).toContainEqual({
      type: 'RichTextBlock',
      inlines: [
        { type: 'TextRun', text: `${lead}: `, weight: 'Bolder' },
        { type: 'TextRun', text: detail },
      ],
    });
  });

  it.each([
    ['confirmed', confirmed, CONFIRMED_LEAD, CONFIRMED_DETAIL],
    ['on a minority, with an abstention', regional, REGIONAL_LEAD, REGIONAL_DETAIL],
  ] as const)('PagerDuty: custom_details.vantage says it (%s)', (_label, alert, lead, detail) => {
    const event = renderPagerDutyEvent(alert, 'R0UTING');
    expect(event.event_action === 'trigger' && event.payload.custom_details.vantage).toBe(`${lead}: ${detail}`);
  });

  it.each([
    ['confirmed', confirmed, CONFIRMED_LEAD, CONFIRMED_DETAIL],
    ['on a minority, with an abstention', regional, REGIONAL_LEAD, REGIONAL_DETAIL],
  ] as const)('SNS: a line says it (%s)', (_label, alert, lead, detail) => {
    expect(renderSnsNotice(alert).message.split('\n')).toContain(`${lead}: ${detail}`);
  });

  it('webhook: `vantage` lists every vantage point as the API does (reason null when it passed, latencyMs null when it abstained)', () => {
    expect(renderWebhookBody(confirmed).data.vantage).toStrictEqual([
      { region: 'us-east-1', ok: false, reason: 'http-status', latencyMs: 120 },
      { region: 'eu-west-1', ok: false, reason: 'timeout', latencyMs: 10_000 },
      { region: 'ap-southeast-1', ok: true, reason: null, latencyMs: 240 },
    ]);
    expect(renderWebhookBody(regional).data.vantage).toStrictEqual([
      { region: 'us-east-1', ok: false, reason: 'http-status', latencyMs: 120 },
      { region: 'eu-west-1', ok: true, reason: null, latencyMs: 90 },
      { region: 'ap-southeast-1', ok: true, reason: null, latencyMs: 240 },
      { region: 'sa-east-1', ok: null, reason: 'abstained: deadline', latencyMs: null },
    ]);
  });

  it('no channel says it for an outage without vantage points, nor for a recovery or a reminder that carried some: each payload as before', () => {
    const vantage = confirmed.vantage!;
    const cases: Array<[OutageAlert, OutageAlert]> = [
      [{ ...outage, vantage: { points: [], quorumMet: true } }, outage],
      [{ ...recovery, vantage }, recovery],
      [{ ...reminder, vantage }, reminder],
    ];
    for (const [alert, plain] of cases) {
      const render = (candidate: OutageAlert) => [
        renderSlackMessage(candidate),
        renderDiscordMessage(candidate),
        renderTeamsMessage(candidate),
        renderPagerDutyEvent(candidate, 'R'),
        renderSnsNotice(candidate),
        renderWebhookBody(candidate),
      ];
      expect(render(alert)).toStrictEqual(render(plain));
      expect(JSON.stringify(render(alert))).not.toMatch(/vantage/i);
    }
  });

  it('escapes hostile regions and reasons for each service, each on one line and capped, and stays within every limit', () => {
    const points: Vantage[] = [
      { region: '<!channel> *x* [y](https://evil.example/)\r\nState: UP', ok: false, reason: HOSTILE_REASON, latencyMs: 1 },
      ...Array.from({ length: 12 }, (_, index): Vantage => ({ region: `region-${index} ${'r'.repeat(60)}`, ok: index % 3 === 0 ? null : index % 3 === 1, reason: `<@U${index}> & ${'z'.repeat(90)}` })),
    ];
    const alert: OutageAlert = withStatusPage({
      ...hostile(outage),
      affected: Array.from({ length: 40 }, (_, index) => ({ id: `d${index}`, name: `Dependent ${index} ${'n'.repeat(180)}` })),
      vantage: { points, quorumMet: false },
    });
    const slack = renderSlackMessage(alert);
    expectSlackWithinLimits(slack);
    expectSlackEscaped(slack);
    const embed = renderDiscordMessage(alert).embeds[0]!;
    const field = embed.fields.find((candidate) => candidate.name.startsWith('Seen from'))!;
    expect(field.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
    expect(field.value.replace(/\\./g, '')).not.toMatch(/[\\*_~`|<>[\]()]/);
    expect(discordEmbedLength(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.total);
    const sns = renderSnsNotice(alert).message.split('\n');
    expect(sns.filter((line) => line.startsWith('State:'))).toHaveLength(1);
    expect(sns.find((line) => line.startsWith('Seen from 5 of 13 vantage points only: '))).toBeDefined();
    expect(Buffer.byteLength(JSON.stringify(renderTeamsMessage(alert)))).toBeLessThan(28 * 1024);
    const pagerDuty = renderPagerDutyEvent(alert, 'R');
    expect(pagerDuty.event_action === 'trigger' && String(pagerDuty.payload.custom_details.vantage).length).toBeLessThanOrEqual(700);
    const webhook = renderWebhookBody(alert);
    expect(webhook.data.vantage?.[0]?.reason).toHaveLength(MAX_REASON_LENGTH);
    expect(Buffer.byteLength(JSON.stringify(webhook))).toBeLessThan(20 * 1024);
  });
});

describe('isWebhookSecret', () => {
  const base64Of = (bytes: number) => Buffer.alloc(bytes, 0xa7).toString('base64');

  it.each([
    ['24 bytes', `whsec_${base64Of(24)}`],
    ['32 bytes, padded', `whsec_${base64Of(32)}`],
    ['32 bytes, unpadded', `whsec_${base64Of(32).replace(/=+$/, '')}`],
    ['64 bytes', `whsec_${base64Of(64)}`],
    ['the Standard Webhooks test key', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
  ])('accepts %s, which the standardwebhooks library signs and verifies with', (_label, secret) => {
    expect(isWebhookSecret(secret)).toBe(true);
    const webhook = new Webhook(secret);
    const timestamp = new Date();
    const signature = webhook.sign('msg_1', timestamp, '{}');
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)), 'webhook-signature': signature };
    expect(webhook.verify('{}', headers)).toEqual({});
  });

  it.each([
    ['no prefix', base64Of(32)],
    ['another prefix', `whsk_${base64Of(32)}`],
    ['empty after the prefix', 'whsec_'],
    ['23 bytes', `whsec_${base64Of(23)}`],
    ['65 bytes', `whsec_${base64Of(65)}`],
    ['base64url characters', `whsec_${base64Of(32).replace(/\+|\//g, '-')}_-`],
    ['a space', `whsec_ ${base64Of(32)}`],
    ['a trailing newline', `whsec_${base64Of(32)}\n`],
    ['wrong padding', `whsec_${base64Of(32).replace(/=+$/, '')}===`],
    ['a lone trailing digit', `whsec_${base64Of(33)}A`],
    ['a plain password', 'whsec_correct horse battery staple'],
  ])('refuses %s', (_label, secret) => {
    expect(isWebhookSecret(secret)).toBe(false);
  });
});

describe('PagerDuty', () => {
  it('triggers an outage with its outage key, a capped summary and the details', () => {
    expect(renderPagerDutyEvent(withStatusPage(outage), 'R0UTING')).toStrictEqual({
      routing_key: 'R0UTING',
      event_action: 'trigger',
      dedup_key: 'payments-api#2024-05-04T16:00:00.000Z',
      payload: {
        summary: 'Payments API is DOWN: http-status: expected 200, got 503',
        source: 'api.example.com',
        severity: 'critical',
        timestamp: outage.confirmedAt,
        component: 'payments-api',
        custom_details: {
          monitor: 'Payments API (payments-api)',
          url: 'https://api.example.com/health',
          state: 'DOWN (was UP)',
          started_at: outage.startedAt,
          confirmed_at: outage.confirmedAt,
          previous_state_seconds: outage.previousStateSeconds,
          reason: 'http-status: expected 200, got 503',
        },
      },
      links: [{ href: 'https://status.example.com/?team=a&view=b', text: 'Status page' }],
    });
  });

  it('re-triggers the same dedup_key for a reminder: the same open alert, never a second incident', () => {
    const down = renderPagerDutyEvent(outage, 'R0UTING');
    const again = renderPagerDutyEvent(reminder, 'R0UTING');
    expect(again.event_action).toBe('trigger');
    expect(again.dedup_key).toBe(down.dedup_key);
    expect(again.event_action === 'trigger' && again.payload.summary).toBe('Payments API is still DOWN (for 2h 5m): http-status: expected 200, got 503');
  });

  it('resolves a recovery with the routing key, the action and the outage key only', () => {
    expect(renderPagerDutyEvent(recovery, 'R0UTING')).toStrictEqual({ routing_key: 'R0UTING', event_action: 'resolve', dedup_key: outage.outageKey });
  });

  it('names the monitor as the source when its URL is a secret reference', () => {
    const event = renderPagerDutyEvent({ ...outage, monitor: { ...outage.monitor, url: null } }, 'R0UTING');
    expect(event.event_action === 'trigger' && event.payload.source).toBe('payments-api');
  });

  it('keeps the summary within 1,024 characters for a hostile name and reason', () => {
    const event = renderPagerDutyEvent(hostile(outage), 'R0UTING');
    expect(event.event_action).toBe('trigger');
    if (event.event_action !== 'trigger') return;
    expect(event.payload.summary.length).toBeLessThanOrEqual(PAGERDUTY_LIMITS.summary);
    expect(event.payload.summary.endsWith('…')).toBe(true);
    expect(event.dedup_key.length).toBeLessThanOrEqual(PAGERDUTY_LIMITS.dedupKey);
  });
});

describe('SNS', () => {
  it.each([
    ['monitor.down', '[DOWN] Payments API is DOWN', 'UP before: 3d 4h'],
    ['monitor.up', '[UP] Payments API is UP again (4m 10s)', 'Outage lasted: 4m 10s'],
    ['monitor.reminder', '[STILL DOWN] Payments API is still DOWN (2h 5m)', 'Down for: 2h 5m'],
  ] as const)('%s: a subject and a plain-text message', (kind, subject, durationLine) => {
    const notice = renderSnsNotice(withStatusPage(ALERTS[kind]));
    expect(notice.subject).toBe(subject);
    const lines = notice.message.split('\n');
    expect(lines).toContain('Monitor: Payments API (payments-api)');
    expect(lines).toContain(durationLine);
    expect(lines).toContain('Status page: https://status.example.com/?team=a&view=b');
    expect(lines.includes('Reason: http-status: expected 200, got 503')).toBe(kind !== 'monitor.up');
  });

  it('makes the subject printable ASCII, one line, shorter than 100 characters', () => {
    const notice = renderSnsNotice({ ...outage, monitor: { ...outage.monitor, name: `  München → Zürich\r\n日本 ${'x'.repeat(200)}` } });
    expect(notice.subject.startsWith('[DOWN] Munchen ? Zurich ?? xxx')).toBe(true);
    expect(notice.subject).toMatch(/^[\x21-\x7e][\x20-\x7e]*$/);
    expect(notice.subject.length).toBeLessThanOrEqual(SNS_SUBJECT_MAX_LENGTH);
  });

  it('keeps a hostile reason on one line of the message, capped', () => {
    const lines = renderSnsNotice(hostile(outage)).message.split('\n');
    const reason = lines.find((line) => line.startsWith('Reason: '));
    expect(reason?.length).toBeLessThanOrEqual('Reason: '.length + MAX_REASON_LENGTH);
    expect(lines.filter((line) => line.includes('@everyone'))).toEqual([reason]);
  });
});

describe('fitText', () => {
  const slack = (char: string) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[char] ?? char;

  it.each([
    ['short text is only escaped', 'a<b', 10, slack, 'a&lt;b'],
    ['a cut is marked with an ellipsis', 'abcdefgh', 5, undefined, 'abcd…'],
    ['never inside an escape', 'ab<<<<', 8, slack, 'ab&lt;…'],
    ['never inside a surrogate pair', 'ab😀😀', 4, undefined, 'ab…'],
  ])('%s', (_label, text, max, escape, expected) => {
    expect(fitText(text, max, { escape })).toBe(expected);
  });

  it('counts a given ellipsis against the length', () => {
    expect(fitText('abcdefgh', 5, { ellipsis: '...' })).toBe('ab...');
  });

  it('is never longer than asked, for any text and escape', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.integer({ min: 1, max: 400 }), (text, max) => {
        expect(fitText(text, max, { escape: slack }).length).toBeLessThanOrEqual(max);
      }),
    );
  });
});

describe('every channel, for any name and reason', () => {
  it('stays within each service limit and escapes what it must', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<OutageAlert['kind']>('monitor.down', 'monitor.up', 'monitor.reminder'),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: MAX_ALERT_NAME_LENGTH }),
        fc.string({ unit: 'grapheme', maxLength: 3000 }),
        (kind, name, reason) => {
          const alert = { ...ALERTS[kind], monitor: { ...outage.monitor, name }, reason: kind === 'monitor.up' ? null : reason };
          const slack = renderSlackMessage(alert);
          expectSlackWithinLimits(slack);
          expectSlackEscaped(slack);
          const embed = renderDiscordMessage(alert).embeds[0]!;
          expect(embed.title.length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
          expect(embed.fields.every((field) => field.value.length <= DISCORD_LIMITS.fieldValue)).toBe(true);
          expect(discordEmbedLength(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.total);
          const event = renderPagerDutyEvent(alert, 'R0UTING');
          if (event.event_action === 'trigger') expect(event.payload.summary.length).toBeLessThanOrEqual(PAGERDUTY_LIMITS.summary);
          expect(renderSnsNotice(alert).subject).toMatch(/^\[[\x20-\x7e]{0,98}$/);
        },
      ),
    );
  });
});

describe('certificate.expiring', () => {
  const certificate: CertificateAlert = {
    kind: 'certificate.expiring',
    key: `payments-api#certificate-${'ab'.repeat(32)}#259200000`,
    monitor: { id: 'payments-api', name: 'Payments API', url: 'https://api.example.com/health' },
    certificate: { expiresAt: '2024-05-07T12:00:00.000Z', daysLeft: 2, issuer: "CN=R11, O=Let's Encrypt, C=US", subject: 'CN=api.example.com', fingerprint: 'ab'.repeat(32) },
    threshold: '3d',
    timestamp: '2024-05-04T16:01:00.000Z',
  };
  const hostileCertificate: CertificateAlert = {
    ...certificate,
    monitor: { ...certificate.monitor, name: HOSTILE_NAME },
    certificate: { ...certificate.certificate, issuer: HOSTILE_REASON, subject: HOSTILE_REASON },
  };

  it('webhook: exactly the documented body', () => {
    expect(renderWebhookBody(certificate)).toStrictEqual({
      type: 'certificate.expiring',
      timestamp: '2024-05-04T16:01:00.000Z',
      data: {
        monitor: { id: 'payments-api', name: 'Payments API', url: 'https://api.example.com/health' },
        certificate: { expiresAt: '2024-05-07T12:00:00.000Z', daysLeft: 2, issuer: "CN=R11, O=Let's Encrypt, C=US", subject: 'CN=api.example.com', fingerprint: 'ab'.repeat(32) },
        threshold: '3d',
      },
    });
  });

  it('PagerDuty: a warning trigger with its own dedup_key per certificate and threshold, never an outage key', () => {
    const event = renderPagerDutyEvent(certificate, 'R0UTING');
    expect(event).toMatchObject({
      event_action: 'trigger',
      dedup_key: certificate.key,
      payload: { severity: 'warning', source: 'api.example.com', component: 'payments-api', summary: 'Payments API certificate expires in 2 days (2024-05-07 12:00:00 UTC)' },
    });
  });

  it('SNS and Slack: the [CERT] subject; Discord and Teams: the headline', () => {
    expect(renderSnsNotice(certificate).subject).toBe('[CERT] Payments API certificate expires in 2 days');
    expect(renderSnsNotice(certificate).message).toContain(`SHA-256: ${'ab'.repeat(32)}`);
    expect(renderSlackMessage(certificate).text).toBe('[CERT] Payments API certificate expires in 2 days');
    expect(renderDiscordMessage(certificate).embeds[0]?.title).toBe('Payments API certificate expires in 2 days');
    expect(textRuns(renderTeamsMessage(certificate).attachments[0]!.content.body)).toContain('Payments API certificate expires in 2 days');
    expect(renderSlackMessage({ ...certificate, certificate: { ...certificate.certificate, daysLeft: 0 } }).text).toBe('[CERT] Payments API certificate expires today');
  });

  it('a hostile name, issuer and subject stay within every limit and escaped', () => {
    const slack = renderSlackMessage(hostileCertificate);
    expectSlackWithinLimits(slack);
    expectSlackEscaped(slack);
    const embed = renderDiscordMessage(hostileCertificate).embeds[0]!;
    expect(embed.fields.every((field) => field.value.length <= DISCORD_LIMITS.fieldValue)).toBe(true);
    expect(discordEmbedLength(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.total);
    expect(JSON.stringify(embed)).not.toMatch(/(?<!\\)\[x\]\(https/);
    const event = renderPagerDutyEvent(hostileCertificate, 'R0UTING');
    if (event.event_action === 'trigger') expect(event.payload.summary.length).toBeLessThanOrEqual(PAGERDUTY_LIMITS.summary);
    expect(renderSnsNotice(hostileCertificate).subject.length).toBeLessThanOrEqual(SNS_SUBJECT_MAX_LENGTH);
    expect(renderSnsNotice(hostileCertificate).message).not.toMatch(/\r/);
  });
});
