/**
 * The composition root hands the handlers their domain services: task start and app reload are built
 * once from the config (start filter included) and work without Sense where nothing needs it.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { defaultConfig } from '../../shared/config/load';
import { isApiError } from '../../shared/http/errors';
import { silentLogger } from '../../shared/log';
import { buildServices } from '../../shared/services';
import { noTelemetry } from '../../shared/telemetry/index';

const ALLOWED = 'aaaaaaaa-0000-4000-8000-000000000001';
const OTHER = 'bbbbbbbb-0000-4000-8000-000000000002';

const base = defaultConfig();
const services = buildServices(
  {
    ...base,
    state: { ...base.state, backend: 'memory' },
    api: {
      ...base.api,
      startTaskFilter: { enable: true, allowTask: { taskId: [ALLOWED], tag: [], customProperty: [] } },
    },
  },
  silentLogger,
  noTelemetry,
);
after(() => services.close());

test('tasks.start writes key-value items without Sense when nothing is to be started', async () => {
  const report = await services.tasks.start({
    pathTaskId: '-',
    items: [{ type: 'keyvaluestore', payload: { namespace: 'ns', key: 'k', value: 'v' } }],
    allTaskIdsMustExist: false,
  });
  assert.deepEqual(report.tasksId, { started: [], invalid: [], denied: [] });
  assert.equal((await services.kv.get('ns', 'k'))?.value, 'v');
});

test("tasks.start applies the config's start filter before Sense is asked", async () => {
  const report = await services.tasks.start({ pathTaskId: OTHER, items: [], allTaskIdsMustExist: false });
  assert.deepEqual(report.tasksId.denied, [{ taskId: OTHER }]);
  await assert.rejects(
    services.tasks.start({ pathTaskId: ALLOWED, items: [], allTaskIdsMustExist: false }),
    (err: unknown) => isApiError(err) && err.code === 'NOT_CONFIGURED',
  );
});

test('apps.reload refuses at once while Sense is not configured, and remembers nothing', async () => {
  await assert.rejects(
    services.apps.reload({ appId: ALLOWED, mode: 0, partial: false, onSuccess: [], onFailure: [] }),
    (err: unknown) => isApiError(err) && err.code === 'NOT_CONFIGURED',
  );
  assert.equal(services.apps.reloadStatus(ALLOWED, 'no-such-reload'), undefined);
});
