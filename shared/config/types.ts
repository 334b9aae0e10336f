/**
 * The validated, defaults-filled configuration (schema: butler.config.schema.json).
 * Paths are already resolved against the config file's directory; secrets are plain values here
 * and must never be logged.
 */
export interface SenseConfig {
  host: string | null;
  qrsPort: number;
  enginePort: number;
  serverName: string | null;
  cert: string | null;
  key: string | null;
  ca: string | null;
  rejectUnauthorized: boolean;
  userDirectory: string;
  userId: string;
  timeoutMs: number;
  /** How long PUT /v4/app/{id}/reload waits before answering 202 (project addition). */
  reloadWaitMs: number;
}

export interface EndpointFlags {
  apiListEnabledEndpoints: boolean;
  base62ToBase16: boolean;
  base16ToBase62: boolean;
  butlerping: boolean;
  createDir: boolean;
  createDirQVD: boolean;
  fileDelete: boolean;
  fileMove: boolean;
  fileCopy: boolean;
  keyValueStore: boolean;
  mqttPublishMessage: boolean;
  newRelic: { postNewRelicMetric: boolean; postNewRelicEvent: boolean };
  scheduler: {
    createNewSchedule: boolean;
    getSchedule: boolean;
    getScheduleStatusAll: boolean;
    updateSchedule: boolean;
    deleteSchedule: boolean;
    startSchedule: boolean;
    stopSchedule: boolean;
  };
  senseAppReload: boolean;
  senseAppDump: boolean;
  senseListApps: boolean;
  senseStartTask: boolean;
  slackPostMessage: boolean;
}

export interface NameValue {
  name: string;
  value: string;
}

export interface ButlerConfig {
  /** Absolute path of the file this came from, or null when running on defaults. */
  source: string | null;
  sense: SenseConfig;
  api: {
    auth: 'function' | 'anonymous';
    endpoints: EndpointFlags;
    startTaskFilter: {
      enable: boolean;
      allowTask: { taskId: string[]; tag: string[]; customProperty: NameValue[] };
    };
  };
  state: {
    backend: 'file' | 'memory' | 'table';
    dir: string;
    table: { connectionString: string | null; tablePrefix: string };
  };
  keyValueStore: {
    maxKeysPerNamespace: number;
    maxValueBytes: number;
    maxNamespaces: number;
    maxTotalBytes: number;
  };
  fileOps: {
    copy: { from: string; to: string }[];
    move: { from: string; to: string }[];
    delete: string[];
    createDir: string[];
    qvdRoot: string | null;
  };
  mqtt: {
    enabled: boolean;
    url: string | null;
    username: string | null;
    password: string | null;
    ca: string | null;
    cert: string | null;
    key: string | null;
    rejectUnauthorized: boolean;
    clientId: string | null;
    taskStartTopic: string | null;
    /** How long a publish may wait for the broker (project addition). */
    publishTimeoutMs: number;
  };
  slack: { webhookUrl: string | null; timeoutMs: number };
  newRelic: {
    accounts: { name: string; insertApiKey: string; accountId: string }[];
    eventUrl: string;
    metricUrl: string;
    headers: NameValue[];
    staticAttributes: NameValue[];
    timeoutMs: number;
  };
  alerts: AlertsConfig;
}

export type AlertOutcome = 'failed' | 'aborted' | 'success';

/** Which tasks alert: any of the tags or custom-property values; both empty means all tasks. */
export interface AlertTaskSelection {
  tag: string[];
  customProperty: NameValue[];
}

/** Settings every channel shares: null means "use the alerts section's default". */
export interface AlertChannelCommon {
  outcomes: AlertOutcome[] | null;
  tasks: AlertTaskSelection | null;
}

export interface AlertWebhookConfig extends AlertChannelCommon {
  name: string;
  url: string;
  method: 'POST' | 'PUT' | 'GET';
  headers: NameValue[];
}

/** Reload-task alerts (docs/alerts.md). */
export interface AlertsConfig {
  enabled: boolean;
  callbackBaseUrl: string | null;
  resubscribeSeconds: number;
  backstopSeconds: number;
  outcomes: AlertOutcome[];
  tasks: AlertTaskSelection;
  scriptLogLines: { head: number; tail: number };
  allowedHosts: string[];
  rateLimitSeconds: number;
  retry: { attempts: number; baseDelayMs: number; maxDelayMs: number; timeoutMs: number };
  channels: {
    slack: AlertChannelCommon & { webhookUrl: string | null; maxScriptLogChars: number };
    teams: AlertChannelCommon & { webhookUrl: string | null; maxScriptLogChars: number };
    webhook: AlertWebhookConfig[];
    email: AlertChannelCommon & {
      smtp: {
        host: string | null;
        port: number;
        secure: boolean;
        requireTls: boolean;
        rejectUnauthorized: boolean;
        ca: string | null;
        user: string | null;
        password: string | null;
      };
      from: string | null;
      to: string[];
      recipientsCustomProperty: string | null;
      includeAppOwner: boolean;
      subjectTemplate: string | null;
      bodyTemplate: string | null;
    };
    mqtt: AlertChannelCommon & { enabled: boolean; topic: string };
  };
}

/** Leaf names of `api.endpoints`, flattened, in the contract's order (Butler's #1). */
export type EndpointName =
  | Exclude<keyof EndpointFlags, 'newRelic' | 'scheduler'>
  | keyof EndpointFlags['newRelic']
  | keyof EndpointFlags['scheduler'];
