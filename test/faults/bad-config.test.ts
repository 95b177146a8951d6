import { parseMonitorsConfig } from '../../lib/config/monitors';
import { ConfigError } from '../../lib/domain/errors';
import { thrownBy } from '../support/thrown';

/**
 * Every malformed shape of monitors.yml is refused with a ConfigError that names the file and the
 * field (test/unit/config.test.ts covers the common cases; this is the exhaustive matrix).
 */

const HEADER = 'notify:\n  from: monitor@example.com\n  to: [oncall@example.com]\n';
const MONITOR = 'id: a, url: "https://a.example.com"';
/** A file with one monitor carrying `extra` (a flow-mapping fragment such as `timeout: 5`). */
const monitorWith = (extra: string) => `${HEADER}monitors:\n  - { ${MONITOR}, ${extra} }\n`;
/** A file whose only monitor is `body` (a flow mapping's contents, or any YAML node). */
const monitorIs = (body: string) => `${HEADER}monitors:\n  - ${body}\n`;
const withDefaults = (defaults: string) => `${HEADER}defaults: ${defaults}\nmonitors:\n  - { ${MONITOR} }\n`;
const withNotify = (notify: string) => `notify: ${notify}\nmonitors:\n  - { ${MONITOR} }\n`;

const BILLION_LAUGHS = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]']
  .concat(['b', 'c', 'd', 'e', 'f', 'g'].map((name, index) => `${name}: &${name} [${Array(9).fill(`*${'abcdef'[index]}`).join(', ')}]`))
  .join('\n');

type Case = [what: string, text: string, message: string];

const CASES: Record<string, Case[]> = {
  'the file': [
    ['an empty file', '', 'monitors.yml: the file is empty'],
    ['only whitespace', '  \n\t\n', 'monitors.yml: the file is empty'],
    ['only a comment', '# nothing here\n', 'monitors.yml: must be a mapping with notify and monitors'],
    ['a number', '42\n', 'monitors.yml: must be a mapping with notify and monitors'],
    ['a string', '"monitors"\n', 'monitors.yml: must be a mapping with notify and monitors'],
    ['null', '~\n', 'monitors.yml: must be a mapping with notify and monitors'],
    ['a list', '- a\n- b\n', 'monitors.yml: must be a mapping with notify and monitors'],
    ['binary garbage', '\u0000\u0001\u0002\u00ff', 'monitors.yml: must be a mapping with notify and monitors'],
    ['not YAML: an unclosed list', 'notify: [unclosed\n', 'monitors.yml: not valid YAML'],
    ['not YAML: tabs for indentation', 'notify:\n\tfrom: a@b.co\n', 'monitors.yml: not valid YAML: Tabs are not allowed'],
    ['not YAML: a mapping in a scalar', 'a: b: c\n', 'monitors.yml: not valid YAML'],
    ['not YAML: an unclosed quote', 'notify: "open\n', 'monitors.yml: not valid YAML'],
    ['two YAML documents', `${HEADER}monitors:\n  - { ${MONITOR} }\n---\nother: doc\n`, 'monitors.yml: not valid YAML'],
    ['a duplicated key', `${HEADER}notify: {}\nmonitors: []\n`, 'monitors.yml: not valid YAML: Map keys must be unique'],
    ['an alias bomb (billion laughs)', `${BILLION_LAUGHS}\n`, 'monitors.yml: not valid YAML: Excessive alias count'],
    ['an unknown top-level key', `${HEADER}monitors:\n  - { ${MONITOR} }\nalerts: []\n`, 'monitors.yml: alerts: unknown field'],
    ['JSON with a number as a duration', '{"notify": {"from": "a@b.co", "to": ["a@b.co"]}, "monitors": [{"id": "a", "url": "https://a.example.com", "timeout": 5}]}', 'monitors.yml: monitors[0] (a).timeout: must be a duration'],
  ],
  notify: [
    ['missing', `monitors:\n  - { ${MONITOR} }\n`, 'monitors.yml: notify: is required'],
    ['a string', withNotify('oncall@example.com'), 'monitors.yml: notify: must have from and to'],
    ['a list', withNotify('[oncall@example.com]'), 'monitors.yml: notify: must have from and to'],
    ['from missing', withNotify('{ to: [a@b.co] }'), 'monitors.yml: notify.from: is required'],
    ['from a number', withNotify('{ from: 5, to: [a@b.co] }'), 'monitors.yml: notify.from: must be an email address'],
    ['from not an address', withNotify('{ from: monitor, to: [a@b.co] }'), 'monitors.yml: notify.from: must be an email address'],
    ['from with a header in it', withNotify('{ from: "a@b.co\\r\\nBcc: x@evil.example", to: [a@b.co] }'), 'monitors.yml: notify.from: must be an email address'],
    ['to missing', withNotify('{ from: a@b.co }'), 'monitors.yml: notify.to: is required'],
    ['to a string', withNotify('{ from: a@b.co, to: a@b.co }'), 'monitors.yml: notify.to: must be a list of email addresses'],
    ['to empty', withNotify('{ from: a@b.co, to: [] }'), 'monitors.yml: notify.to: must list at least one address'],
    ['to with a number', withNotify('{ from: a@b.co, to: [5] }'), 'monitors.yml: notify.to[0]: must be an email address'],
    ['to with a non-address', withNotify('{ from: a@b.co, to: [a@b.co, team] }'), 'monitors.yml: notify.to[1]: must be an email address'],
    ['an unknown key', withNotify('{ from: a@b.co, to: [a@b.co], via: sms }'), 'monitors.yml: notify.via: unknown field'],
  ],
  defaults: [
    ['a string', withDefaults('fast'), 'monitors.yml: defaults: must be a mapping'],
    ['a list', withDefaults('[5s]'), 'monitors.yml: defaults: must be a mapping'],
    ['an unknown key', withDefaults('{ retries: 3 }'), 'monitors.yml: defaults.retries: unknown field'],
    ['timeout a number', withDefaults('{ timeout: 5 }'), 'monitors.yml: defaults.timeout: must be a duration'],
    ['timeout too long', withDefaults('{ timeout: 1m }'), "monitors.yml: defaults.timeout: '1m' must be between 100ms and 30s"],
    ['interval not whole minutes', withDefaults('{ interval: 90s }'), 'monitors.yml: defaults.interval: must be a whole number of minutes'],
    ['interval too short', withDefaults('{ interval: 5s }'), "monitors.yml: defaults.interval: '5s' must be between 10s and 24h"],
    ['failureThreshold zero', withDefaults('{ failureThreshold: 0 }'), 'monitors.yml: defaults.failureThreshold: must be 1 or more'],
    ['successThreshold a string', withDefaults('{ successThreshold: two }'), 'monitors.yml: defaults.successThreshold: must be a whole number'],
  ],
  monitors: [
    ['missing', HEADER, 'monitors.yml: monitors: is required'],
    ['empty', `${HEADER}monitors: []\n`, 'monitors.yml: monitors: must list at least one monitor'],
    ['a mapping', `${HEADER}monitors: { a: { url: "https://a.example.com" } }\n`, 'monitors.yml: monitors: must be a list of monitors'],
    ['a string', `${HEADER}monitors: all\n`, 'monitors.yml: monitors: must be a list of monitors'],
    ['an entry that is a string', monitorIs('https://a.example.com'), 'monitors.yml: monitors[0]: must be a mapping with at least id and url'],
    ['an entry that is null', monitorIs('~'), 'monitors.yml: monitors[0]: must be a mapping with at least id and url'],
    ['an entry that is a list', monitorIs('[a, "https://a.example.com"]'), 'monitors.yml: monitors[0]: must be a mapping with at least id and url'],
    ['duplicate ids', `${HEADER}monitors:\n  - { id: a, url: "https://a.example.com" }\n  - { id: b, url: "https://b.example.com" }\n  - { id: a, url: "https://c.example.com" }\n`, 'monitors.yml: monitors[2] (a).id: duplicate id, already used by monitors[0]'],
    ['an unknown key', monitorWith('retries: 3'), 'monitors.yml: monitors[0] (a).retries: unknown field'],
  ],
  id: [
    ['missing', monitorIs('{ url: "https://a.example.com" }'), 'monitors.yml: monitors[0].id: is required'],
    ['a number', monitorIs('{ id: 42, url: "https://a.example.com" }'), 'monitors.yml: monitors[0].id: must be a string of a-z, 0-9 and -'],
    ['empty', monitorIs('{ id: "", url: "https://a.example.com" }'), 'monitors.yml: monitors[0].id: must be 1 to 63 characters'],
    ['capitals', monitorIs('{ id: Payments, url: "https://a.example.com" }'), 'monitors.yml: monitors[0] (Payments).id: must be 1 to 63 characters'],
    ['a path traversal', monitorIs('{ id: "../../etc/passwd", url: "https://a.example.com" }'), 'monitors.yml: monitors[0] (../../etc/passwd).id: must be 1 to 63 characters'],
    ['a leading dash', monitorIs('{ id: -a, url: "https://a.example.com" }'), 'monitors.yml: monitors[0] (-a).id: must be 1 to 63 characters'],
    ['64 characters', monitorIs(`{ id: ${'a'.repeat(64)}, url: "https://a.example.com" }`), '.id: must be 1 to 63 characters'],
    ['HTML', monitorIs('{ id: "<b>a</b>", url: "https://a.example.com" }'), '.id: must be 1 to 63 characters'],
  ],
  name: [
    ['a number', monitorWith('name: 5'), 'monitors.yml: monitors[0] (a).name: must be a string'],
    ['a list', monitorWith('name: [a]'), 'monitors.yml: monitors[0] (a).name: must be a string'],
    ['empty', monitorWith('name: ""'), 'monitors.yml: monitors[0] (a).name: must not be empty'],
    ['10 KB long', monitorWith(`name: "${'n'.repeat(10_240)}"`), 'monitors.yml: monitors[0] (a).name: must be at most 200 characters'],
  ],
  url: [
    ['missing', monitorIs('{ id: a }'), 'monitors.yml: monitors[0] (a).url: is required'],
    ['a number', monitorIs('{ id: a, url: 80 }'), 'monitors.yml: monitors[0] (a).url: must be an http:// or https:// URL'],
    ['a list', monitorIs('{ id: a, url: ["https://a.example.com"] }'), 'monitors.yml: monitors[0] (a).url: must be an http:// or https:// URL'],
    ['not a URL', monitorIs('{ id: a, url: "not a url" }'), 'monitors.yml: monitors[0] (a).url: must be an http:// or https:// URL'],
    ['without a host', monitorIs('{ id: a, url: "http://" }'), 'monitors.yml: monitors[0] (a).url: must be an http:// or https:// URL'],
    ['relative', monitorIs('{ id: a, url: "/health" }'), 'monitors.yml: monitors[0] (a).url: must be an http:// or https:// URL'],
    ['protocol-relative', monitorIs('{ id: a, url: "//a.example.com/health" }'), 'monitors.yml: monitors[0] (a).url: must be an http:// or https:// URL'],
    ['ftp', monitorIs('{ id: a, url: "ftp://a.example.com" }'), 'monitors.yml: monitors[0] (a).url: must be an http:// or https:// URL'],
    ['javascript:', monitorIs('{ id: a, url: "javascript:alert(1)" }'), 'monitors.yml: monitors[0] (a).url: must be an http:// or https:// URL'],
    ['file:', monitorIs('{ id: a, url: "file:///etc/passwd" }'), 'monitors.yml: monitors[0] (a).url: must be an http:// or https:// URL'],
    ['with a password', monitorIs('{ id: a, url: "https://user:secret@a.example.com" }'), 'monitors.yml: monitors[0] (a).url: must not hold a user name or password'],
  ],
  method: [
    ['a number', monitorWith('method: 1'), 'monitors.yml: monitors[0] (a).method: must be one of GET, HEAD'],
    ['not HTTP', monitorWith('method: FETCH'), 'monitors.yml: monitors[0] (a).method: must be one of GET, HEAD'],
    ['lower case', monitorWith('method: get'), 'monitors.yml: monitors[0] (a).method: must be one of GET, HEAD'],
  ],
  headers: [
    ['a list', monitorWith('headers: [a]'), 'monitors.yml: monitors[0] (a).headers: must map header names to strings'],
    ['a string', monitorWith('headers: "Authorization: x"'), 'monitors.yml: monitors[0] (a).headers: must map header names to strings'],
    ['a number value', monitorWith('headers: { X-Count: 1 }'), 'monitors.yml: monitors[0] (a).headers.X-Count: must be a string or a secret reference: { ssm: /name }'],
    ['a nested value', monitorWith('headers: { X-A: { b: c } }'), 'monitors.yml: monitors[0] (a).headers.X-A: must be a secret reference: { ssm: /name }'],
  ],
  timeout: [
    ['a number', monitorWith('timeout: 5'), 'monitors.yml: monitors[0] (a).timeout: must be a duration such as 5s, 1m or 2h'],
    ['a boolean', monitorWith('timeout: true'), 'monitors.yml: monitors[0] (a).timeout: must be a duration such as 5s, 1m or 2h'],
    ['infinity', monitorWith('timeout: .inf'), 'monitors.yml: monitors[0] (a).timeout: must be a duration such as 5s, 1m or 2h'],
    ['empty', monitorWith('timeout: ""'), "monitors.yml: monitors[0] (a).timeout: '' is not a duration"],
    ['words', monitorWith('timeout: 5 seconds'), "monitors.yml: monitors[0] (a).timeout: '5 seconds' is not a duration"],
    ['ISO 8601', monitorWith('timeout: PT5S'), "monitors.yml: monitors[0] (a).timeout: 'PT5S' is not a duration"],
    ['negative', monitorWith('timeout: -5s'), "monitors.yml: monitors[0] (a).timeout: '-5s' is not a duration"],
    ['two units', monitorWith('timeout: 1m30s'), "monitors.yml: monitors[0] (a).timeout: '1m30s' is not a duration"],
    ['zero', monitorWith('timeout: 0s'), "monitors.yml: monitors[0] (a).timeout: '0s' must be between 100ms and 30s"],
    ['over 30s', monitorWith('timeout: 45s'), "monitors.yml: monitors[0] (a).timeout: '45s' must be between 100ms and 30s"],
  ],
  interval: [
    ['a number', monitorWith('interval: 60'), 'monitors.yml: monitors[0] (a).interval: must be a duration'],
    ['below 10 seconds', monitorWith('interval: 5s'), "monitors.yml: monitors[0] (a).interval: '5s' must be between 10s and 24h"],
    ['within the minute but not 10s, 15s, 20s or 30s', monitorWith('interval: 45s'), 'monitors.yml: monitors[0] (a).interval: must be a whole number of minutes (the schedule runs every minute), or 10s, 15s, 20s or 30s'],
    ['not whole minutes', monitorWith('interval: 90s'), 'monitors.yml: monitors[0] (a).interval: must be a whole number of minutes'],
    ['over a day', monitorWith('interval: 25h'), "monitors.yml: monitors[0] (a).interval: '25h' must be between 10s and 24h"],
    ['within the minute, with a timeout as long', monitorWith('interval: 10s, timeout: 10s'), 'monitors.yml: monitors[0] (a).timeout: 10s must be shorter than its 10s interval'],
  ],
  thresholds: [
    ['failureThreshold zero', monitorWith('failureThreshold: 0'), 'monitors.yml: monitors[0] (a).failureThreshold: must be 1 or more'],
    ['successThreshold zero', monitorWith('successThreshold: 0'), 'monitors.yml: monitors[0] (a).successThreshold: must be 1 or more'],
    ['negative', monitorWith('failureThreshold: -1'), 'monitors.yml: monitors[0] (a).failureThreshold: must be 1 or more'],
    ['a fraction', monitorWith('successThreshold: 1.5'), 'monitors.yml: monitors[0] (a).successThreshold: must be a whole number of checks'],
    ['a string', monitorWith('failureThreshold: "2"'), 'monitors.yml: monitors[0] (a).failureThreshold: must be a whole number of checks'],
    ['null', monitorWith('failureThreshold: ~'), 'monitors.yml: monitors[0] (a).failureThreshold: must be a whole number of checks'],
    ['huge', monitorWith('failureThreshold: 1000000'), 'monitors.yml: monitors[0] (a).failureThreshold: must be 100 or less'],
  ],
  expect: [
    ['a string', monitorWith('expect: ok'), 'monitors.yml: monitors[0] (a).expect: must be a mapping'],
    ['a list', monitorWith('expect: [200]'), 'monitors.yml: monitors[0] (a).expect: must be a mapping'],
    ['an unknown key', monitorWith('expect: { code: 200 }'), 'monitors.yml: monitors[0] (a).expect.code: unknown field'],
    ['status a string', monitorWith('expect: { status: "200" }'), 'monitors.yml: monitors[0] (a).expect.status: must be an HTTP status between 100 and 599, or a list of them'],
    ['status a fraction', monitorWith('expect: { status: 200.5 }'), 'monitors.yml: monitors[0] (a).expect.status: must be an HTTP status'],
    ['status out of range', monitorWith('expect: { status: 99 }'), 'monitors.yml: monitors[0] (a).expect.status: must be an HTTP status between 100 and 599'],
    ['status an empty list', monitorWith('expect: { status: [] }'), 'monitors.yml: monitors[0] (a).expect.status: must list at least one status'],
    ['status a nested list', monitorWith('expect: { status: [[200]] }'), 'monitors.yml: monitors[0] (a).expect.status: must be an HTTP status'],
    ['json a list', monitorWith('expect: { json: [status] }'), 'monitors.yml: monitors[0] (a).expect.json: must map dotted paths to expected values'],
    ['json a string', monitorWith('expect: { json: OK }'), 'monitors.yml: monitors[0] (a).expect.json: must map dotted paths to expected values'],
    ['bodyContains a number', monitorWith('expect: { bodyContains: 5 }'), 'monitors.yml: monitors[0] (a).expect.bodyContains: must be a string'],
    ['bodyContains empty', monitorWith('expect: { bodyContains: "" }'), 'monitors.yml: monitors[0] (a).expect.bodyContains: must not be empty'],
    ['maxResponseTime a number', monitorWith('expect: { maxResponseTime: 500 }'), 'monitors.yml: monitors[0] (a).expect.maxResponseTime: must be a duration'],
    ['maxResponseTime zero', monitorWith('expect: { maxResponseTime: 0ms }'), "monitors.yml: monitors[0] (a).expect.maxResponseTime: '0ms' must be between 1ms and 30s"],
  ],
  'monitor notify': [
    ['a string', monitorWith('notify: team@example.com'), 'monitors.yml: monitors[0] (a).notify: must be a mapping with to'],
    ['to a string', monitorWith('notify: { to: team@example.com }'), 'monitors.yml: monitors[0] (a).notify.to: must be a list of email addresses'],
    ['to empty', monitorWith('notify: { to: [] }'), 'monitors.yml: monitors[0] (a).notify.to: must list at least one address'],
    ['to a non-address', monitorWith('notify: { to: [team] }'), 'monitors.yml: monitors[0] (a).notify.to[0]: must be an email address'],
    ['an unknown key', monitorWith('notify: { to: [t@example.com], cc: [u@example.com] }'), 'monitors.yml: monitors[0] (a).notify.cc: unknown field'],
  ],
};

const matrix: string[] = [];

afterAll(() => {
  console.log(`monitors.yml bad-input matrix (${matrix.length} cases, all refused):\n${matrix.join('\n')}`);
});

describe.each(Object.entries(CASES))('%s', (_field, cases) => {
  it.each(cases)('refuses %s', (what, text, message) => {
    const thrown = thrownBy(() => parseMonitorsConfig(text, 'monitors.yml'));
    expect(thrown).toBeInstanceOf(ConfigError);
    const refusal = thrown instanceof Error ? thrown.message : '';
    expect(refusal).toContain(message);
    // One line, and short: a 10 KB value is not echoed back whole.
    expect(refusal).not.toMatch(/[\r\n]/);
    expect(refusal.length).toBeLessThan(400);
    matrix.push(`  ${_field} / ${what}: ${refusal}`);
  });
});
