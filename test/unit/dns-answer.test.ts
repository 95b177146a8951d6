import { findDnsMismatch, normalizeDnsValue } from '../../lib/domain/dns-answer';

describe('normalizeDnsValue', () => {
  it.each([
    ['Mail.Example.COM.', 'mail.example.com'],
    ['mail.example.com', 'mail.example.com'],
    ['192.0.2.1', '192.0.2.1'],
    ['v=spf1 -all', 'v=spf1 -all'],
  ])('reads %s as %s', (value, normalized) => {
    expect(normalizeDnsValue(value)).toBe(normalized);
  });
});

describe('findDnsMismatch', () => {
  it.each<[string, string[], string[]]>([
    ['every expected value, among others', ['mail.example.com.'], ['backup.example.com', 'MAIL.example.com']],
    ['several expected values', ['a.example.com', 'b.example.com'], ['b.example.com.', 'a.example.com.']],
    ['nothing expected', [], ['anything']],
  ])('accepts an answer holding %s', (_case, expected, values) => {
    expect(findDnsMismatch('example.com', 'MX', expected, values)).toBeUndefined();
  });

  it('says what was expected and what came back', () => {
    expect(findDnsMismatch('example.com', 'MX', ['mail.example.com', 'b.example.com'], ['b.example.com'])).toBe(
      'MX example.com: expected mail.example.com, b.example.com; got b.example.com',
    );
    expect(findDnsMismatch('example.com', 'TXT', ['v=spf1 -all'], [])).toBe('TXT example.com: expected v=spf1 -all; got nothing');
  });

  it('caps a long message at 200 characters', () => {
    const values = Array.from({ length: 40 }, (_, index) => `host-${index}.example.com`);
    const message = findDnsMismatch('example.com', 'NS', ['ns.example.com'], values) ?? '';
    expect(message).toHaveLength(200);
    expect(message.endsWith('…')).toBe(true);
  });
});
