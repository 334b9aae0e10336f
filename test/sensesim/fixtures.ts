/**
 * Default Sense model: stable, lowercase GUIDs exported as FIXTURE so tests name what they mean.
 * Tag and custom-property values deliberately contain `& # '` and non-ASCII text to exercise URL encoding
 * and filter quoting end to end (docs/sense-facts.md §3.4, §11).
 */
import { defaultApps } from './fixture-apps';
import { finishedResult } from './execution';
import type { SenseFixtures, SimCustomPropertyValue, SimRef, SimTask } from './types';

export const FIXTURE = {
  taskReloadSales: 'b4bd04b6-0cfb-4a9a-993e-d35ca8ce70b6',
  taskReloadFinance: 'b972b9bf-4dcd-4a10-96b3-a343774061bb',
  taskReloadHr: '8ae07343-23a8-4aa2-b067-6c8a6df23df4',
  taskExternalProgram: '87f14718-789b-45e7-ab00-f174e638ba89',
  taskUserSync: 'c8d6b8a4-265e-4240-926c-e3dd6fcbb6c9',
  /** Disabled; the synchronous start answers the empty GUID. */
  taskDisabled: '9637871f-af4d-460c-9838-ebfb03ab597c',
  taskDistribute: 'c1774af3-c70d-4521-8cd8-f69f82af970d',
  taskPreload: 'ec7f61e6-a67a-4119-8166-e754cefeff86',
  /** A well-formed id that no task has. */
  taskUnknown: 'd7c665b5-0029-49e2-b903-d7aa543d71f6',
  appSales: '2df00ce7-6013-4dd9-9705-b29be428b20a',
  appFinance: '3623f2de-c13d-4c44-84dd-996ff56644ae',
  appHr: '880a10c9-a345-4478-8491-194a9d80f782',
  /** DoReload answers false. */
  appBroken: 'faa4ae3f-cc29-42b6-b0e7-5e4abbda2f82',
  /** A well-formed id that no app has (OpenDoc → 1003). */
  appUnknown: '7e492914-c664-4b6a-b48a-feb2ccc3a37b',
  tagNightly: 'Nightly',
  tagNightlyId: '32ec0b85-a001-4c9c-95a0-cba649ea44b1',
  tagFinance: 'Finance',
  tagFinanceId: 'd01fe7fa-6982-4458-ad57-2d2ecb2cb90f',
  tagSpecial: "R&D #1 'x'",
  tagSpecialId: '74d3fe6f-bd3e-4c8a-8c57-9d6b1cb3e8a1',
  tagUnicode: 'Größe ✓ 東京',
  tagUnicodeId: '3b9d5b44-201e-4629-a68f-8b290cd55b01',
  cpTeam: 'Butler_Team',
  cpTeamId: '453bad35-0ccf-49cd-ab0c-6428b42615b8',
  cpEmail: 'Butler_FailedTaskAlertEmail',
  cpEmailId: '03eed71e-c24e-473d-a28d-c169ccca0f22',
  cpValueSpecial: "ops & dev #2 'a'",
  cpValueFinance: 'Finance',
  userOwner: '01ff4a90-97f1-4d25-9f36-2efd6589efed',
  userAnalyst: '079db213-f03a-4ceb-a95c-66186b67570f',
  streamEveryone: '65556c04-e39b-43b1-8705-1e8cc189ce71',
  /** Newest execution of taskReloadSales (FinishedSuccess) and of taskReloadFinance (FinishedFail). */
  executionSalesLast: 'a796f6b8-77ce-4fa7-bef0-10d02a7f6f2e',
  executionFinanceLast: '0a13357d-5de6-4f05-b93f-4e2d2b0ac5df',
  /** Execution-result row ids of those two executions; the Finance log starts with a UTF-8 BOM. */
  resultSalesLast: '84996afc-9f38-495c-9784-a46df766e3bd',
  resultFinanceLast: '374f972d-2fc3-4a75-8145-71b73ff57006',
} as const;

const CREATED = '2024-01-15T10:30:00.000Z';

const tag = {
  nightly: { id: FIXTURE.tagNightlyId, name: FIXTURE.tagNightly },
  finance: { id: FIXTURE.tagFinanceId, name: FIXTURE.tagFinance },
  special: { id: FIXTURE.tagSpecialId, name: FIXTURE.tagSpecial },
  unicode: { id: FIXTURE.tagUnicodeId, name: FIXTURE.tagUnicode },
} satisfies Record<string, SimRef>;

let cpValueSeq = 0;
function cp(definition: 'team' | 'email', value: string): SimCustomPropertyValue {
  cpValueSeq += 1;
  const def =
    definition === 'team'
      ? { id: FIXTURE.cpTeamId, name: FIXTURE.cpTeam }
      : { id: FIXTURE.cpEmailId, name: FIXTURE.cpEmail };
  return { id: `6a1c0000-0000-4000-8000-${String(cpValueSeq).padStart(12, '0')}`, value, definition: def };
}

function task(partial: Omit<SimTask, 'enabled' | 'tags' | 'customProperties'> & Partial<SimTask>): SimTask {
  return {
    enabled: true,
    tags: [],
    customProperties: [],
    createdDate: CREATED,
    modifiedDate: '2024-03-01T08:00:00.000Z',
    modifiedByUserName: 'INTERNAL\\sa_repository',
    ...partial,
  };
}

function defaultTasks(): SimTask[] {
  const sales = { id: FIXTURE.appSales, name: 'Sales' };
  const finance = { id: FIXTURE.appFinance, name: 'Finance' };
  const hr = { id: FIXTURE.appHr, name: 'HR Ünïcødé' };
  const broken = { id: FIXTURE.appBroken, name: 'Broken Load' };
  return [
    task({
      id: FIXTURE.taskReloadSales,
      name: 'Reload Sales',
      taskType: 0,
      app: sales,
      tags: [tag.nightly],
      customProperties: [cp('team', FIXTURE.cpValueSpecial), cp('email', 'sales-ops@example.com')],
      maxRetries: 2,
      nextExecution: '2030-01-01T02:00:00.000Z',
    }),
    task({
      id: FIXTURE.taskReloadFinance,
      name: 'Reload Finance',
      taskType: 0,
      app: finance,
      tags: [tag.nightly, tag.finance],
      customProperties: [cp('team', FIXTURE.cpValueFinance), cp('email', 'finance@example.com')],
    }),
    task({
      id: FIXTURE.taskReloadHr,
      name: 'Reload HR',
      taskType: 0,
      app: hr,
      tags: [tag.special, tag.unicode],
      customProperties: [cp('team', FIXTURE.tagUnicode)],
      isPartialReload: true,
    }),
    task({
      id: FIXTURE.taskExternalProgram,
      name: 'Run backup script',
      taskType: 1,
      app: sales,
      tags: [tag.nightly],
    }),
    task({ id: FIXTURE.taskUserSync, name: 'Sync AD users', taskType: 2, app: sales }),
    task({
      id: FIXTURE.taskDisabled,
      name: 'Reload Broken (disabled)',
      taskType: 0,
      enabled: false,
      app: broken,
      tags: [tag.finance],
      startBehaviour: 'notStarted',
    }),
    task({ id: FIXTURE.taskDistribute, name: 'Distribute Sales', taskType: 3, app: sales }),
    task({ id: FIXTURE.taskPreload, name: 'Preload Finance', taskType: 4, app: finance }),
  ];
}

/** A fresh, independent model (tests may mutate it freely). */
export function defaultFixtures(): SenseFixtures {
  cpValueSeq = 0;
  const tasks = defaultTasks();
  const byId = (id: string): SimTask => {
    const found = tasks.find((t) => t.id === id);
    if (!found) throw new Error(`fixture task ${id} missing`);
    return found;
  };
  return {
    tasks,
    apps: defaultApps(),
    users: [
      {
        id: FIXTURE.userOwner,
        userId: 'jdoe',
        userDirectory: 'CORP',
        name: 'Jane Doe',
        attributes: [
          {
            id: '10da7011-b968-4954-9403-253c089f821c',
            attributeType: 'Email',
            attributeValue: 'jane.doe@example.com',
            externalId: '',
          },
        ],
      },
      {
        id: FIXTURE.userAnalyst,
        userId: 'amüller',
        userDirectory: 'CORP',
        name: 'Anna Müller',
        attributes: [],
      },
    ],
    customPropertyDefinitions: [
      {
        id: FIXTURE.cpTeamId,
        name: FIXTURE.cpTeam,
        valueType: 'Text',
        choiceValues: [FIXTURE.cpValueSpecial, FIXTURE.cpValueFinance, FIXTURE.tagUnicode],
        objectTypes: ['ReloadTask', 'App'],
      },
      {
        id: FIXTURE.cpEmailId,
        name: FIXTURE.cpEmail,
        valueType: 'Text',
        choiceValues: [],
        objectTypes: ['ReloadTask'],
      },
    ],
    executionResults: [
      finishedResult({
        task: byId(FIXTURE.taskReloadSales),
        id: FIXTURE.resultSalesLast,
        executionId: FIXTURE.executionSalesLast,
        status: 7,
        startTime: '2024-06-01T02:00:00.000Z',
        durationMs: 83_000,
      }),
      finishedResult({
        task: byId(FIXTURE.taskReloadFinance),
        id: FIXTURE.resultFinanceLast,
        executionId: FIXTURE.executionFinanceLast,
        status: 8,
        startTime: '2024-06-01T02:05:00.000Z',
        durationMs: 12_500,
      }),
    ],
    executionSessions: [],
    scriptLogs: {
      [FIXTURE.resultFinanceLast]:
        '\uFEFF20240601T020500.000+0000 Execution started.\r\n' +
        '20240601T020511.000+0000 Finance:\r\n' +
        '20240601T020511.000+0000 LOAD * FROM [lib://DataFiles/Finance.qvd] (qvd)\r\n' +
        "20240601T020512.000+0000 Error: Cannot open file: 'lib://DataFiles/Finance.qvd'\r\n" +
        '20240601T020512.500+0000 Execution Failed\r\n',
    },
  };
}
