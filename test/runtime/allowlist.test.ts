import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LOOPBACK_ONLY, parseAllowList } from '../../runtime/allowlist';

describe('parseAllowList', () => {
  it('allows only loopback by default', () => {
    const list = parseAllowList(LOOPBACK_ONLY);
    assert.deepEqual(list.entries, ['127.0.0.0/8', '::1/128']);
    for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1', '::FFFF:127.0.0.2']) {
      assert.equal(list.allows(address), true, address);
    }
    for (const address of ['10.0.0.1', '128.0.0.1', '::2', 'fe80::1', '::ffff:10.0.0.1', '::127.0.0.1']) {
      assert.equal(list.allows(address), false, address);
    }
  });

  it('accepts IPv4 and IPv6 CIDRs and single addresses with whitespace', () => {
    const list = parseAllowList(' 10.0.0.0/8 , 192.168.1.7,2001:db8::/32,fe80::1 ,');
    assert.deepEqual(list.entries, ['10.0.0.0/8', '192.168.1.7', '2001:db8::/32', 'fe80::1']);
    const allowed = [
      '10.255.0.1',
      '192.168.1.7',
      '2001:db8:1::5',
      'fe80::1',
      'fe80::1%eth0',
      '::ffff:10.1.2.3',
    ];
    for (const address of allowed) assert.equal(list.allows(address), true, address);
    for (const address of ['11.0.0.1', '192.168.1.8', '2001:db9::1', 'fe80::2', '::ffff:192.168.1.8']) {
      assert.equal(list.allows(address), false, address);
    }
  });

  it('checks IPv4-mapped IPv6 clients as IPv4', () => {
    const list = parseAllowList('203.0.113.0/24');
    assert.equal(list.allows('::ffff:203.0.113.9'), true);
    assert.equal(list.allows('::ffff:203.0.114.9'), false);
  });

  it('handles /0 and host-length prefixes', () => {
    assert.equal(parseAllowList('0.0.0.0/0').allows('8.8.8.8'), true);
    assert.equal(parseAllowList('0.0.0.0/0').allows('2001:db8::1'), false);
    assert.equal(parseAllowList('::/0').allows('2001:db8::1'), true);
    assert.equal(parseAllowList('10.1.2.3/32').allows('10.1.2.4'), false);
  });

  it('refuses undefined, empty and unparsable remote addresses', () => {
    const list = parseAllowList('0.0.0.0/0,::/0');
    for (const address of [undefined, '', 'localhost', '999.1.1.1', 'not an ip']) {
      assert.equal(list.allows(address), false, String(address));
    }
  });

  const badSpecs: Array<[string, RegExp]> = [
    ['', /empty/],
    [' , ', /empty/],
    ['10.0.0.0/33', /"10.0.0.0\/33" has an invalid prefix length \(0-32\)/],
    ['::1/129', /"::1\/129".*0-128/],
    ['10.0.0.0/', /"10.0.0.0\/" has an invalid prefix/],
    ['10.0.0.0/8/8', /"10.0.0.0\/8\/8"/],
    ['10.0.0.0/-1', /invalid prefix/],
    ['127.0.0.1, localhost', /"localhost" is not an IPv4\/IPv6 address or CIDR/],
    ['256.0.0.1', /"256.0.0.1"/],
    ['10.0.0/8', /"10.0.0\/8"/],
  ];
  for (const [spec, message] of badSpecs) {
    it(`rejects "${spec}" naming the bad entry`, () => {
      assert.throws(() => parseAllowList(spec), message);
    });
  }
});
