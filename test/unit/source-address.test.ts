import { sourceAddressFor } from '../../lib/adapters/source-address';

describe('sourceAddressFor', () => {
  it('uses a loopback source address towards loopback destinations of its IP version', () => {
    expect(sourceAddressFor('127.0.0.2', '127.0.0.1')).toBe('127.0.0.2');
    expect(sourceAddressFor('127.0.0.2', 'localhost')).toBe('127.0.0.2');
    expect(sourceAddressFor('127.0.0.2', 'api.localhost.')).toBe('127.0.0.2');
    expect(sourceAddressFor('::1', '[::1]')).toBe('::1');
  });

  it('does not use it towards other hosts, which it cannot reach', () => {
    expect(sourceAddressFor('127.0.0.2', '93.184.216.34')).toBeUndefined();
    expect(sourceAddressFor('127.0.0.2', 'example.com')).toBeUndefined();
    expect(sourceAddressFor('127.0.0.2', '[::1]')).toBeUndefined();
    expect(sourceAddressFor('::1', 'localhost')).toBeUndefined();
  });

  it('uses any other source address as given, and none when none is given', () => {
    expect(sourceAddressFor('192.0.2.7', '93.184.216.34')).toBe('192.0.2.7');
    expect(sourceAddressFor('192.0.2.7', 'example.com')).toBe('192.0.2.7');
    expect(sourceAddressFor(undefined, '127.0.0.1')).toBeUndefined();
  });
});
