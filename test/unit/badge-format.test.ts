import { XMLParser, XMLValidator } from 'fast-xml-parser';
import {
  buildResponseTimeBadge,
  buildStatusBadge,
  buildUptimeBadge,
  colorForUptime,
  estimateTextWidth,
  renderBadgeSvg,
  toShieldsEndpoint,
  type Badge,
} from '../../lib/domain/badge';
import { renderCsv } from '../../lib/domain/csv';
import { formatDuration } from '../../lib/domain/duration';
import { escapeMarkup, formatPercent, formatTime } from '../../lib/domain/format';

/** The SVG parsed as XML: its texts, and its width. */
function readBadge(svg: string): { texts: string[]; width: number; title: string } {
  expect(XMLValidator.validate(svg)).toBe(true);
  const parsed = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    isArray: (name) => name === 'g' || name === 'text',
  }).parse(svg) as {
    svg: { width: string; title: string; g: Array<{ text?: Array<{ '#text': string; 'aria-hidden'?: string }> }> };
  };
  const texts = parsed.svg.g.flatMap((group) => group.text ?? []).filter((text) => text['aria-hidden'] !== 'true');
  return { texts: texts.map((text) => String(text['#text'])), width: Number(parsed.svg.width), title: String(parsed.svg.title) };
}

describe('formatPercent', () => {
  it.each<[number | null, string]>([
    [100, '100%'], [99.999, '99.99%'], [99.95, '99.95%'], [99.9, '99.90%'], [50, '50.00%'], [0, '0.00%'], [null, 'no data'],
  ])('%p reads %s', (percent, text) => {
    expect(formatPercent(percent)).toBe(text);
  });
});

describe("formatDuration, 'spaced' (the status page)", () => {
  it.each([
    [0, '0 s'],
    [59, '59 s'],
    [60, '1 min'],
    [3599, '59 min'],
    [3600, '1 h'],
    [3900, '1 h 5 min'],
    [86_400, '1 d'],
    [2 * 86_400 + 4 * 3600 + 59, '2 d 4 h'],
  ])('%p s reads %s', (seconds, text) => {
    expect(formatDuration(seconds * 1000, 'spaced')).toBe(text);
  });
});

describe('formatTime', () => {
  it('shows UTC to the minute, whatever the offset it was given in', () => {
    expect(formatTime('2024-05-01T14:07:59+02:00')).toBe('2024-05-01 12:07 UTC');
    expect(() => formatTime('later')).toThrow(RangeError);
  });
});

describe('escapeMarkup', () => {
  it('escapes the five markup characters and drops control characters XML refuses', () => {
    expect(escapeMarkup(`<b>"Tom" & 'Jerry'</b>\u0000\u0007`)).toBe('&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;');
  });
});

describe('badges', () => {
  it.each<[Badge, string, string]>([
    [buildStatusBadge('Payments API', 'UP'), 'up', 'brightgreen'],
    [buildStatusBadge('Payments API', 'DOWN'), 'down', 'red'],
    [buildStatusBadge('Payments API', 'UNKNOWN'), 'unknown', 'lightgrey'],
    [buildUptimeBadge('30d', 99.95), '99.95%', 'brightgreen'],
    [buildUptimeBadge('7d', 99.5), '99.50%', 'green'],
    [buildUptimeBadge('7d', 42), '42.00%', 'red'],
    [buildUptimeBadge('24h', null), 'no data', 'lightgrey'],
    [buildResponseTimeBadge('24h', 123.4), '123 ms', 'brightgreen'],
    [buildResponseTimeBadge('24h', 1200), '1200 ms', 'yellow'],
    [buildResponseTimeBadge('24h', null), 'no data', 'lightgrey'],
  ])('%j shows %s in %s', (badge, message, color) => {
    expect(badge).toMatchObject({ message, color });
    const read = readBadge(renderBadgeSvg(badge));
    expect(read.texts).toEqual([badge.label, message]);
    expect(read.title).toBe(`${badge.label}: ${message}`);
  });

  it.each<[number | null, string]>([
    [100, 'brightgreen'], [99.9, 'brightgreen'], [99.89, 'green'], [99, 'green'], [98.5, 'yellowgreen'],
    [96, 'yellow'], [91, 'orange'], [89.99, 'red'], [null, 'lightgrey'],
  ])('colours %p%% %s', (percent, color) => {
    expect(colorForUptime(percent)).toBe(color);
  });

  it('escapes a hostile label and still parses as XML', () => {
    const svg = renderBadgeSvg(buildStatusBadge('<b>x</b> & "co"', 'UP'));
    expect(svg).not.toContain('<b>');
    expect(readBadge(svg).texts[0]).toBe('<b>x</b> & "co"');
  });

  it('grows with its text and cuts a very long label', () => {
    const short = readBadge(renderBadgeSvg(buildStatusBadge('API', 'UP'))).width;
    const long = readBadge(renderBadgeSvg(buildStatusBadge('A much longer monitor name', 'UP'))).width;
    expect(long).toBeGreaterThan(short + 100);
    const huge = readBadge(renderBadgeSvg(buildStatusBadge('x'.repeat(500), 'UP')));
    expect([...(huge.texts[0] ?? '')]).toHaveLength(48);
    expect(huge.texts[0]?.endsWith('…')).toBe(true);
    expect(estimateTextWidth('mmm')).toBeGreaterThan(estimateTextWidth('iii'));
  });

  it('gives the shields.io endpoint body', () => {
    expect(toShieldsEndpoint(buildUptimeBadge('30d', 99.95))).toEqual({ schemaVersion: 1, label: 'uptime 30d', message: '99.95%', color: 'brightgreen' });
  });
});

describe('renderCsv', () => {
  it('writes a header and rows with CRLF, quoting what needs it and neutralising formulas', () => {
    const csv = renderCsv(
      ['id', 'name', 'uptimePercent'],
      [
        ['api', 'Payments, "EU"', 99.5],
        ['web', '=HYPERLINK("http://evil")', null],
        ['x', 'line\nbreak', 0],
      ],
    );
    expect(csv).toBe(
      'id,name,uptimePercent\r\n' +
        'api,"Payments, ""EU""",99.5\r\n' +
        `web,"'=HYPERLINK(""http://evil"")",\r\n` +
        'x,"line\nbreak",0\r\n',
    );
  });
});
