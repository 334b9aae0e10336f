/** Small pieces of the alert flow: status classification, timer schedule, callback key and URL. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { callbackKey, callbackUrl } from '../../shared/alerts/callback-key';
import { outcomeOf, statusFilter } from '../../shared/alerts/outcome';
import { taskSelected } from '../../shared/alerts/selection';
import { tickSchedule } from '../../shared/alerts/tick-schedule';

describe('status classification', () => {
  it('7 success, 8 and 11 failed, 6 aborted; everything else is no alert', () => {
    const expected: Record<number, string | undefined> = {
      6: 'aborted',
      7: 'success',
      8: 'failed',
      11: 'failed',
    };
    for (let status = 0; status <= 14; status++)
      assert.equal(outcomeOf(status), expected[status], String(status));
    assert.equal(outcomeOf('FinishedFail'), 'failed');
    assert.equal(outcomeOf('aborted'), 'aborted');
    assert.equal(outcomeOf(null), undefined);
  });

  it('builds the subscription filter from the outcomes', () => {
    assert.equal(
      statusFilter(['failed', 'aborted']),
      'status eq FinishedFail or status eq Error or status eq Aborted',
    );
  });
});

describe('task selection', () => {
  const task = { id: 'x', tags: ['Nightly'], customProperties: [{ name: 'Team', value: 'Ops' }] };
  it('empty selection = all; otherwise any tag or custom-property value, case-insensitive', () => {
    assert.ok(taskSelected(task, { tag: [], customProperty: [] }));
    assert.ok(taskSelected(task, { tag: ['nightly'], customProperty: [] }));
    assert.ok(taskSelected(task, { tag: ['Weekly'], customProperty: [{ name: 'team', value: 'OPS' }] }));
    assert.ok(!taskSelected(task, { tag: ['Weekly'], customProperty: [{ name: 'Team', value: 'Dev' }] }));
  });
});

describe('timer schedule', () => {
  it('fires at least as often as the shortest period asks', () => {
    assert.equal(tickSchedule(5), '*/5 * * * * *');
    assert.equal(tickSchedule(45), '*/30 * * * * *');
    assert.equal(tickSchedule(60), '0 */1 * * * *');
    assert.equal(tickSchedule(300), '0 */5 * * * *');
    assert.equal(tickSchedule(7 * 60), '0 */6 * * * *');
    assert.equal(tickSchedule(86400), '0 0 * * * *');
  });
});

describe('callback key', () => {
  it('app setting first, then the function’s own key, then host.function.default', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'alert-keys-'));
    try {
      await writeFile(path.join(dir, 'host.master'), 'master\n');
      await writeFile(path.join(dir, 'host.function.default'), 'default-key\n');
      assert.equal(await callbackKey({ BUTLER_KEYS_DIR: dir }), 'default-key');
      await writeFile(path.join(dir, 'functions.alertsCallback.qrs'), 'own-key\n');
      assert.equal(await callbackKey({ BUTLER_KEYS_DIR: dir }), 'own-key');
      assert.equal(
        await callbackKey({ BUTLER_KEYS_DIR: dir, BUTLER_ALERTS_CALLBACK_KEY: 'setting' }),
        'setting',
      );
      assert.equal(await callbackKey({}), undefined);
      assert.equal(await callbackKey({ BUTLER_KEYS_DIR: path.join(dir, 'missing') }), undefined);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('puts the key in ?code= under the callback route, percent-encoded', () => {
    assert.equal(
      callbackUrl('http://10.0.1.5:8080/', 'a+b/c='),
      'http://10.0.1.5:8080/alerts/qrs-callback?code=a%2Bb%2Fc%3D',
    );
  });
});
