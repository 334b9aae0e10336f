import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bracketHost, hostPort, unbracketHost } from '../../shared/net/host';

test('IPv6 literals get brackets once; names and IPv4 stay as they are', () => {
  assert.equal(bracketHost('::1'), '[::1]');
  assert.equal(bracketHost('[::1]'), '[::1]');
  assert.equal(bracketHost('fe80::1%eth0'), '[fe80::1%eth0]');
  assert.equal(bracketHost('qlik.example.com'), 'qlik.example.com');
  assert.equal(bracketHost('10.0.0.1'), '10.0.0.1');
});

test('brackets come off for comparisons', () => {
  assert.equal(unbracketHost('[::1]'), '::1');
  assert.equal(unbracketHost('::1'), '::1');
  assert.equal(unbracketHost('example.com'), 'example.com');
});

test('host:port writes IPv6 the way a URL does', () => {
  assert.equal(hostPort('::1', 8883), '[::1]:8883');
  assert.equal(hostPort('broker', 1883), 'broker:1883');
  assert.equal(new URL(`mqtt://${hostPort('::1', 8883)}`).port, '8883');
});
