/** `api.startTaskFilter` decides per selection type which tasks callers may start. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSenseEnv, type SenseEnv } from '../helpers/sense-env';
import { FIXTURE } from '../sensesim/fixtures';

let env: SenseEnv;

before(async () => {
  env = await startSenseEnv({
    config: {
      api: {
        startTaskFilter: {
          enable: true,
          allowTask: {
            taskId: [FIXTURE.taskReloadSales.toUpperCase()],
            tag: [FIXTURE.tagSpecial],
            customProperty: [{ name: FIXTURE.cpTeam, value: FIXTURE.cpValueFinance }],
          },
        },
      },
    },
  });
});
after(async () => {
  await env?.close();
});

test('allowed selections start, denied ones are listed and never reach QRS', async () => {
  const res = await env.api.call(`/v4/reloadtask/${FIXTURE.taskReloadSales}/start`, {
    method: 'PUT',
    body: [
      { type: 'starttaskid', payload: { taskId: FIXTURE.taskReloadFinance } },
      { type: 'starttasktag', payload: { tag: FIXTURE.tagSpecial } },
      { type: 'starttasktag', payload: { tag: FIXTURE.tagNightly } },
      {
        type: 'starttaskcustomproperty',
        payload: { customPropertyName: FIXTURE.cpTeam, customPropertyValue: FIXTURE.cpValueFinance },
      },
      {
        type: 'starttaskcustomproperty',
        payload: { customPropertyName: FIXTURE.cpTeam, customPropertyValue: FIXTURE.cpValueSpecial },
      },
    ],
  });
  assert.equal(res.status, 200);
  const report = res.json as {
    tasksId: { started: { taskId: string }[]; denied: { taskId: string }[] };
    tasksTag: { taskId: string }[];
    tasksTagDenied: { tag: string }[];
    tasksCP: { taskId: string }[];
    tasksCPDenied: { name: string; value: string }[];
  };
  assert.deepEqual(
    report.tasksId.started.map((t) => t.taskId),
    [FIXTURE.taskReloadSales],
  );
  assert.deepEqual(report.tasksId.denied, [{ taskId: FIXTURE.taskReloadFinance }]);
  assert.deepEqual(
    report.tasksTag.map((t) => t.taskId),
    [FIXTURE.taskReloadHr],
  );
  assert.deepEqual(report.tasksTagDenied, [{ tag: FIXTURE.tagNightly }]);
  assert.deepEqual(
    report.tasksCP.map((t) => t.taskId),
    [FIXTURE.taskReloadFinance],
  );
  assert.deepEqual(report.tasksCPDenied, [{ name: FIXTURE.cpTeam, value: FIXTURE.cpValueSpecial }]);
  const filters = env.sim.qrsCalls.map((c) => c.filter ?? '').join(' | ');
  assert.equal(filters.includes(FIXTURE.tagNightly), false, filters);
  assert.equal(filters.includes('ops & dev'), false, filters);
});
