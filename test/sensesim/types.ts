/**
 * Public types of the Qlik Sense simulator (docs/sense-facts.md §11). The shapes follow what QRS and the Engine
 * return, so the Sense client is tested against realistic data; optional fields get realistic defaults
 * when a row is rendered, which keeps tests that push their own tasks and apps short.
 */
import type { TestPki } from '../helpers/pki';

export type { TestPki };

export interface SenseUser {
  directory: string;
  id: string;
}

export interface SenseSimOptions {
  pki: TestPki;
  /** 403 without X-Qlik-User (QRS) / reject the upgrade with 403 (Engine). */
  strictUser?: boolean;
  /** Default: defaultFixtures(). */
  fixtures?: SenseFixtures;
}

export interface QrsCall {
  method: string;
  /** Percent-decoded path without the query, e.g. /qrs/task/full. */
  path: string;
  /** Percent-decoded values; keys as sent. */
  query: Record<string, string>;
  /** Decoded filter text (undefined without a `filter` parameter). */
  filter: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  peerCN: string | undefined;
  xrfkeyOk: boolean;
  user: SenseUser | null;
  /** 0 until the answer is written (or when the socket was destroyed by a fault). */
  status: number;
  at: number;
}

export interface EngineConnection {
  path: string;
  peerCN: string | undefined;
  user: SenseUser | null;
}

export interface EngineCall {
  /** WebSocket path of the connection. */
  path: string;
  method: string;
  handle: number;
  params: unknown;
  peerCN: string | undefined;
}

export interface QrsFault {
  method?: string;
  /** Matched against the decoded path: a string equals it (case-insensitively), a RegExp is tested. */
  path: string | RegExp;
  status?: number;
  body?: string;
  delayMs?: number;
  /** Holds the answer until this settles (after `delayMs`): a test releases it when it has seen the wait. */
  until?: Promise<unknown>;
  destroySocket?: boolean;
  times?: number;
}

export interface EngineFault {
  method: string;
  /** Limits the fault to calls concerning this app (open Doc, OpenDoc argument or /app/<id> path). */
  appId?: string;
  error?: { code: number; message: string; parameter?: string };
  delayMs?: number;
  /** Holds the answer until this settles (after `delayMs`): a test releases it when it has seen the wait. */
  until?: Promise<unknown>;
  closeSocket?: boolean;
  times?: number;
}

export interface SimRef {
  id: string;
  name: string;
}

export interface SimCustomPropertyValue {
  id: string;
  value: string;
  definition: { id: string; name: string };
}

export interface SimExecutionDetail {
  id: string;
  detailsType: number;
  message: string;
  detailCreatedDate: string;
}

/** Full QRS ExecutionResult row (docs/sense-facts.md §5). */
export interface SimExecutionResult {
  id: string;
  createdDate: string;
  modifiedDate: string;
  modifiedByUserName: string;
  schemaPath: 'ExecutionResult';
  privileges: null;
  taskID: string;
  executionID: string;
  appID: string;
  executingNodeID: string;
  executingNodeName: string;
  status: number;
  startTime: string;
  stopTime: string;
  duration: number;
  fileReferenceID: string;
  scriptLogAvailable: boolean;
  details: SimExecutionDetail[];
  scriptLogLocation: string;
  scriptLogSize: number;
}

/** A running execution, visible at GET /qrs/executionsession/{id} until removed. */
export interface SimExecutionSession {
  id: string;
  taskId: string;
  executionId: string;
  status: number;
}

export interface SimTask {
  id: string;
  name: string;
  /** 0 Reload, 1 ExternalProgram, 2 UserSync, 3 Distribute, 4 Preload. */
  taskType: number;
  enabled: boolean;
  app: { id: string; name: string };
  tags: SimRef[];
  customProperties: SimCustomPropertyValue[];
  /** What POST /qrs/task/{id}/start/synchronous answers: 'started' → new execution GUID, 'notStarted' → empty GUID. */
  startBehaviour?: 'started' | 'notStarted';
  createdDate?: string;
  modifiedDate?: string;
  modifiedByUserName?: string;
  isManuallyTriggered?: boolean;
  isPartialReload?: boolean;
  maxRetries?: number;
  taskSessionTimeout?: number;
  /** ISO date; the 1753 sentinel when unscheduled (default). */
  nextExecution?: string;
}

export interface SimUser {
  id: string;
  userId: string;
  userDirectory: string;
  name: string;
  attributes: { id: string; attributeType: string; attributeValue: string; externalId: string }[];
}

export interface SimCustomPropertyDefinition {
  id: string;
  name: string;
  valueType: string;
  choiceValues: string[];
  objectTypes: string[];
}

/** A generic app object (sheet, story, master object, appprops, dimension, measure, bookmark, snapshot). */
export interface SimAppObject {
  id: string;
  /** qInfo.qType, e.g. 'sheet', 'masterobject', 'dimension', 'bookmark', 'snapshot'. */
  type: string;
  title: string;
  description?: string;
  /** Extra properties merged into GetProperties / GetLayout (e.g. qDim, qMeasure, cells). */
  properties?: Record<string, unknown>;
  children?: SimAppObject[];
}

export interface SimVariable {
  id: string;
  name: string;
  definition: string;
  comment?: string;
  isScriptCreated?: boolean;
  isReserved?: boolean;
  isConfig?: boolean;
}

export interface SimField {
  name: string;
  srcTables: string[];
  tags?: string[];
  isSystem?: boolean;
  isHidden?: boolean;
  isSemantic?: boolean;
}

export interface SimConnection {
  id: string;
  name: string;
  connectionString: string;
  type: string;
}

export interface SimLineage {
  qDiscriminator: string;
  qStatement: string;
}

export interface SimApp {
  id: string;
  name: string;
  script: string;
  lastReloadTime: string;
  /** DoReload answer: true (default), false, or an engine error code (e.g. 11000); reloadDelayMs delays it. */
  reloadOutcome?: boolean | { errorCode: number };
  reloadDelayMs?: number;
  description?: string;
  fileSize?: number;
  published?: boolean;
  publishTime?: string;
  stream?: { id: string; name: string } | null;
  ownerId?: string;
  modifiedDate?: string;
  modifiedByUserName?: string;
  tags?: SimRef[];
  customProperties?: SimCustomPropertyValue[];
  sheets?: SimAppObject[];
  stories?: SimAppObject[];
  masterobjects?: SimAppObject[];
  appprops?: SimAppObject[];
  dimensions?: SimAppObject[];
  measures?: SimAppObject[];
  bookmarks?: SimAppObject[];
  snapshots?: SimAppObject[];
  /** qUrlDef values, e.g. '/media/Logo.png'. */
  media?: string[];
  fields?: SimField[];
  variables?: SimVariable[];
  connections?: SimConnection[];
  lineage?: SimLineage[];
  /** GetAppProperties qProp (merged over defaults derived from the app). */
  properties?: Record<string, unknown>;
}

export interface SenseFixtures {
  tasks: SimTask[];
  apps: SimApp[];
  users: SimUser[];
  customPropertyDefinitions: SimCustomPropertyDefinition[];
  executionResults: SimExecutionResult[];
  executionSessions: SimExecutionSession[];
  /** Script-log text (CRLF lines) by execution-result id; results without one get a generated log. */
  scriptLogs?: Record<string, string>;
}
