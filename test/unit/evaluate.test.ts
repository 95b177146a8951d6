import { evaluateResult } from '../../lib/domain/evaluate';
import type { CheckResult, Expectations, FailureReason, ProbeOutcome } from '../../lib/domain/types';

const CHECKED_AT = '2024-05-01T12:00:00.000Z';

function response(overrides: Partial<Extract<ProbeOutcome, { kind: 'response' }>> = {}): ProbeOutcome {
  return {
    kind: 'response',
    statusCode: 200,
    contentType: 'application/json',
    body: '{"status":"OK"}',
    bodyTruncated: false,
    latencyMs: 120,
    ...overrides,
  };
}

function expectations(overrides: Partial<Expectations> = {}): Expectations {
  return { status: [200], ...overrides };
}

describe('evaluateResult', () => {
  describe('network errors', () => {
    it.each<[string, Extract<ProbeOutcome, { kind: 'error' }>['reason']]>([
      ['no answer within 5000 ms', 'timeout'],
      ['DNS lookup failed for x.invalid (ENOTFOUND)', 'dns'],
      ['connection refused', 'connection-refused'],
      ['connection closed early', 'connection-reset'],
      ['TLS error CERT_HAS_EXPIRED', 'tls'],
      ['too many redirects', 'network'],
    ])('an error outcome "%s" fails with reason %s', (message, reason) => {
      const result = evaluateResult(expectations(), { kind: 'error', reason, message, latencyMs: 42 }, CHECKED_AT);
      expect(result).toEqual<CheckResult>({ ok: false, checkedAt: CHECKED_AT, latencyMs: 42, reason, message });
    });

    it('caps a long error message', () => {
      const message = 'x'.repeat(5000);
      const result = evaluateResult(
        expectations(),
        { kind: 'error', reason: 'network', message, latencyMs: 1 },
        CHECKED_AT,
      );
      expect(result.message?.length).toBeLessThanOrEqual(100);
    });
  });

  it('a response meeting every expectation is a success with latency and status code', () => {
    const result = evaluateResult(
      expectations({ status: [200, 204], json: { status: 'OK' }, bodyContains: 'OK', maxResponseTimeMs: 500 }),
      response({ latencyMs: 499 }),
      CHECKED_AT,
    );
    expect(result).toEqual<CheckResult>({ ok: true, checkedAt: CHECKED_AT, latencyMs: 499, statusCode: 200 });
  });

  describe('status', () => {
    it.each<[number[], number, boolean, string | undefined]>([
      [[200], 200, true, undefined],
      [[200], 503, false, 'expected 200, got 503'],
      [[200, 204], 204, true, undefined],
      [[200, 204], 500, false, 'expected one of 200, 204, got 500'],
      [[301], 200, false, 'expected 301, got 200'],
    ])('expected %j, got %i: ok=%s', (status, statusCode, ok, message) => {
      const result = evaluateResult(expectations({ status }), response({ statusCode, body: '' }), CHECKED_AT);
      expect(result.ok).toBe(ok);
      expect(result.statusCode).toBe(statusCode);
      expect(result.reason).toBe(ok ? undefined : 'http-status');
      expect(result.message).toBe(message);
    });
  });

  describe('json paths', () => {
    const document = JSON.stringify({
      status: 'OK',
      count: 3,
      healthy: true,
      nothing: null,
      data: { state: 'running', nested: { deep: { value: 1.5 } } },
      components: [
        { name: 'db', status: 'up' },
        { name: 'cache', status: 'degraded' },
      ],
      tags: ['a', 'b'],
      matrix: [
        [1, 2],
        [3, 4],
      ],
      '0': 'object key zero',
    });

    it.each<[string, Record<string, unknown>, string | undefined]>([
      ['a top-level string', { status: 'OK' }, undefined],
      ['a number', { count: 3 }, undefined],
      ['a boolean', { healthy: true }, undefined],
      ['null', { nothing: null }, undefined],
      ['a nested path', { 'data.state': 'running' }, undefined],
      ['a deeply nested path', { 'data.nested.deep.value': 1.5 }, undefined],
      ['an array element', { 'components.0.status': 'up' }, undefined],
      ['an array of arrays', { 'matrix.1.0': 3 }, undefined],
      ['a whole array', { tags: ['a', 'b'] }, undefined],
      ['a whole object', { 'components.1': { status: 'degraded', name: 'cache' } }, undefined],
      ['a numeric key on an object', { '0': 'object key zero' }, undefined],
      ['several paths', { status: 'OK', 'data.state': 'running', 'components.0.name': 'db' }, undefined],
      ['a different string', { status: 'DOWN' }, 'status: expected "DOWN", got "OK"'],
      ['a number against its string', { count: '3' }, 'count: expected "3", got 3'],
      ['a string against a number', { status: 1 }, 'status: expected 1, got "OK"'],
      ['null against a value', { status: null }, 'status: expected null, got "OK"'],
      ['a value against null', { nothing: 'x' }, 'nothing: expected "x", got null'],
      ['a nested mismatch', { 'components.1.status': 'up' }, 'components.1.status: expected "up", got "degraded"'],
      ['an object with a differing value', { 'components.0': { name: 'db', status: 'down' } }, 'components.0: expected {"name":"db","status":"down"}, got {"name":"db","status":"up"}'],
      ['an object with an extra key', { 'components.0': { name: 'db' } }, 'components.0: expected {"name":"db"}, got {"name":"db","status":"up"}'],
      ['an array of another length', { tags: ['a'] }, 'tags: expected ["a"], got ["a","b"]'],
      ['an array in another order', { tags: ['b', 'a'] }, 'tags: expected ["b","a"], got ["a","b"]'],
      ['an object against an array', { tags: { '0': 'a', '1': 'b' } }, 'tags: expected {"0":"a","1":"b"}, got ["a","b"]'],
      ['a missing key', { version: '1' }, 'version: expected "1", got nothing'],
      ['a missing nested key', { 'data.missing.deeper': 1 }, 'data.missing.deeper: expected 1, got nothing'],
      ['an index past the end', { 'components.5.status': 'up' }, 'components.5.status: expected "up", got nothing'],
      ['a non-numeric segment on an array', { 'components.first': 'x' }, 'components.first: expected "x", got nothing'],
      ['a path through a string', { 'status.length': 2 }, 'status.length: expected 2, got nothing'],
      ['an inherited property', { 'data.constructor': 'x' }, 'data.constructor: expected "x", got nothing'],
      ['the first failing path', { status: 'OK', 'data.state': 'stopped', count: 9 }, 'data.state: expected "stopped", got "running"'],
    ])('%s', (_name, json, message) => {
      const result = evaluateResult(expectations({ json }), response({ body: document }), CHECKED_AT);
      expect(result.ok).toBe(message === undefined);
      expect(result.reason).toBe(message === undefined ? undefined : 'body-mismatch');
      expect(result.message).toBe(message);
    });

    it('a 200 whose JSON says DEGRADED when OK is expected is a body-mismatch', () => {
      const result = evaluateResult(
        expectations({ json: { status: 'OK' } }),
        response({ body: '{"status":"DEGRADED"}' }),
        CHECKED_AT,
      );
      expect(result).toEqual<CheckResult>({
        ok: false,
        checkedAt: CHECKED_AT,
        latencyMs: 120,
        statusCode: 200,
        reason: 'body-mismatch',
        message: 'status: expected "OK", got "DEGRADED"',
      });
    });

    it('a root that is an array is indexed by the first segment', () => {
      const result = evaluateResult(
        expectations({ json: { '1.ok': true } }),
        response({ body: '[{"ok":false},{"ok":true}]' }),
        CHECKED_AT,
      );
      expect(result.ok).toBe(true);
    });

    it('caps a long value echoed from the target', () => {
      const result = evaluateResult(
        expectations({ json: { status: 'OK' } }),
        response({ body: JSON.stringify({ status: 'y'.repeat(10_000) }) }),
        CHECKED_AT,
      );
      expect(result.reason).toBe('body-mismatch');
      expect(result.message).toMatch(/^status: expected "OK", got "y+…$/);
      expect(result.message?.length).toBeLessThanOrEqual(140);
    });

    it.each<[string, string, boolean, RegExp]>([
      ['HTML', '<html>OK</html>', false, /^body is not valid JSON$/],
      ['an empty body', '', false, /^body is not valid JSON$/],
      ['a trailing comma', '{"status":"OK",}', false, /^body is not valid JSON$/],
      ['a truncated document', '{"status":"OK","items":[1,2,', true, /^body is not valid JSON \(.*truncated.*\)$/],
    ])('%s is invalid-json', (_name, body, bodyTruncated, message) => {
      const result = evaluateResult(
        expectations({ json: { status: 'OK' } }),
        response({ body, bodyTruncated }),
        CHECKED_AT,
      );
      expect(result.ok).toBe(false);
      expect(result.reason).toBe('invalid-json');
      expect(result.message).toMatch(message);
    });

    it('a truncated body that still parses is judged normally', () => {
      const result = evaluateResult(
        expectations({ json: { status: 'OK' } }),
        response({ body: '{"status":"OK"}', bodyTruncated: true }),
        CHECKED_AT,
      );
      expect(result.ok).toBe(true);
    });

    it('without json expectations an invalid body is fine', () => {
      const result = evaluateResult(expectations(), response({ body: 'not json' }), CHECKED_AT);
      expect(result.ok).toBe(true);
    });
  });

  describe('bodyContains', () => {
    it.each<[string, string, boolean, string | undefined]>([
      ['present', 'all systems operational', true, undefined],
      ['absent', 'partial outage', false, 'body does not contain "operational"'],
      ['case differs', 'OPERATIONAL', false, 'body does not contain "operational"'],
      ['empty body', '', false, 'body does not contain "operational"'],
    ])('%s', (_name, body, ok, message) => {
      const result = evaluateResult(
        expectations({ bodyContains: 'operational' }),
        response({ body, contentType: 'text/plain' }),
        CHECKED_AT,
      );
      expect(result.ok).toBe(ok);
      expect(result.reason).toBe(ok ? undefined : 'body-mismatch');
      expect(result.message).toBe(message);
    });

    it('says when the substring may lie past the size cap', () => {
      const result = evaluateResult(
        expectations({ bodyContains: 'footer' }),
        response({ body: 'a'.repeat(64), bodyTruncated: true }),
        CHECKED_AT,
      );
      expect(result.reason).toBe('body-mismatch');
      expect(result.message).toBe('body does not contain "footer" in the first 64 characters read');
    });
  });

  describe('maxResponseTimeMs', () => {
    it.each<[number, boolean]>([
      [1999, true],
      [2000, true],
      [2001, false],
      [9000, false],
    ])('latency %i ms against a 2000 ms limit: ok=%s', (latencyMs, ok) => {
      const result = evaluateResult(expectations({ maxResponseTimeMs: 2000 }), response({ latencyMs }), CHECKED_AT);
      expect(result.ok).toBe(ok);
      expect(result.latencyMs).toBe(latencyMs);
      expect(result.reason).toBe(ok ? undefined : 'too-slow');
      expect(result.message).toBe(ok ? undefined : `took ${latencyMs} ms, limit 2000 ms`);
    });

    it('without a limit any latency is fine', () => {
      expect(evaluateResult(expectations(), response({ latencyMs: 60_000 }), CHECKED_AT).ok).toBe(true);
    });
  });

  describe('order: status, json, bodyContains, too-slow', () => {
    const strict = expectations({
      status: [200],
      json: { status: 'OK' },
      bodyContains: 'OK',
      maxResponseTimeMs: 100,
    });

    it.each<[string, Partial<Extract<ProbeOutcome, { kind: 'response' }>>, FailureReason | undefined]>([
      ['all wrong: the status wins', { statusCode: 500, body: 'nope', latencyMs: 900 }, 'http-status'],
      ['right status, bad JSON, slow', { body: 'nope', latencyMs: 900 }, 'invalid-json'],
      ['right status, wrong JSON, missing text, slow', { body: '{"status":"DOWN"}', latencyMs: 900 }, 'body-mismatch'],
      ['everything right and fast', { body: '{"status":"OK"}', latencyMs: 50 }, undefined],
      ['everything right but slow', { body: '{"status":"OK"}', latencyMs: 900 }, 'too-slow'],
    ])('%s', (_name, overrides, reason) => {
      const result = evaluateResult(strict, response(overrides), CHECKED_AT);
      expect(result.reason).toBe(reason);
      expect(result.ok).toBe(reason === undefined);
    });

    it('a missing substring is reported before slowness', () => {
      const result = evaluateResult(
        expectations({ bodyContains: 'ready', maxResponseTimeMs: 100 }),
        response({ body: 'starting', latencyMs: 900 }),
        CHECKED_AT,
      );
      expect(result.reason).toBe('body-mismatch');
    });
  });

  describe('tcp and dns outcomes', () => {
    it.each<[string, ProbeOutcome]>([
      ['a TCP connection made', { kind: 'connected', latencyMs: 4 }],
      ['a DNS answer', { kind: 'answered', values: ['mail.example.com'], latencyMs: 9 }],
    ])('counts %s as a success: the HTTP expectations do not apply', (_case, outcome) => {
      const strict = expectations({ status: [204], bodyContains: 'OK', json: { status: 'OK' }, maxResponseTimeMs: 1 });
      expect(evaluateResult(strict, outcome, CHECKED_AT)).toEqual({ ok: true, checkedAt: CHECKED_AT, latencyMs: outcome.latencyMs });
    });

    it('keeps the reason and message of a DNS answer without an expected value', () => {
      const outcome: ProbeOutcome = { kind: 'error', reason: 'dns-mismatch', message: 'MX example.com: expected a.example.com; got b.example.com', latencyMs: 7 };
      expect(evaluateResult(expectations(), outcome, CHECKED_AT)).toEqual({ ok: false, checkedAt: CHECKED_AT, latencyMs: 7, reason: 'dns-mismatch', message: outcome.message });
    });
  });
});
