/** A realistic enriched alert and a full alerts config for channel-level tests. */
import type { AlertEvent } from '../../shared/alerts/event';
import type { AlertsConfig } from '../../shared/config/types';

export function sampleEvent(overrides: Partial<AlertEvent> = {}): AlertEvent {
  return {
    outcome: 'failed',
    status: { num: 8, text: 'FinishedFail' },
    execution: {
      resultId: '0a13357d-5de6-4f05-b93f-4e2d2b0ac5df',
      executionId: '84996afc-9f38-495c-9784-a46df766e3bd',
      node: 'SENSE-NODE1',
      startTime: '2024-06-01T02:05:00.000Z',
      stopTime: '2024-06-01T02:05:12.500Z',
      durationMs: 12_500,
      details: [
        {
          at: '2024-06-01T02:05:12.500Z',
          message: 'Changing task state from Started to FinishedFail',
          type: 0,
        },
      ],
      scriptLogSize: 2048,
    },
    task: {
      id: 'b972b9bf-4dcd-4a10-96b3-a343774061bb',
      name: 'Reload Finance',
      type: 0,
      typeName: 'Reload',
      tags: ['Nightly'],
      customProperties: [{ name: 'emailRecipients', value: 'finance@example.com; cfo@example.com' }],
      isManuallyTriggered: false,
      isPartialReload: false,
      maxRetries: 0,
      modifiedDate: '2024-03-01T08:00:00.000Z',
      modifiedByUserName: 'INTERNAL\\sa_repository',
    },
    app: {
      id: '3623f2de-c13d-4c44-84dd-996ff56644ae',
      name: 'Finance',
      description: null,
      stream: 'Everyone',
      owner: { name: 'Jane Doe', userDirectory: 'CORP', userId: 'jdoe', email: 'jane.doe@example.com' },
    },
    scriptLog: {
      head: ['20240601T020500.000+0000 Execution started.'],
      tail: ["20240601T020512.000+0000 Error: Cannot open file 'lib://DataFiles/Finance.qvd'"],
      totalLines: 2,
    },
    scriptLogError: null,
    ...overrides,
  };
}

export function alertsConfig(patch: (c: AlertsConfig) => void = () => undefined): AlertsConfig {
  const config: AlertsConfig = {
    enabled: true,
    callbackBaseUrl: null,
    resubscribeSeconds: 300,
    backstopSeconds: 60,
    outcomes: ['failed', 'aborted'],
    tasks: { tag: [], customProperty: [] },
    scriptLogLines: { head: 10, tail: 25 },
    allowedHosts: ['127.0.0.1'],
    rateLimitSeconds: 0,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 5000 },
    channels: {
      slack: { webhookUrl: null, outcomes: null, tasks: null, maxScriptLogChars: 2900 },
      teams: { webhookUrl: null, outcomes: null, tasks: null, maxScriptLogChars: 2900 },
      webhook: [],
      email: {
        smtp: {
          host: null,
          port: 587,
          secure: false,
          requireTls: false,
          rejectUnauthorized: true,
          ca: null,
          user: null,
          password: null,
        },
        from: null,
        to: [],
        recipientsCustomProperty: 'emailRecipients',
        includeAppOwner: false,
        subjectTemplate: null,
        bodyTemplate: null,
        outcomes: null,
        tasks: null,
      },
      mqtt: { enabled: true, topic: 'qliksense/reloadtask', outcomes: null, tasks: null },
    },
  };
  patch(config);
  return config;
}
