/** What an alert carries, once enriched; every channel renders from this one shape. */
import type { AlertOutcome, NameValue } from '../config/types';

export interface AlertDetail {
  at: string;
  message: string;
  /** 0 Error, 1 Warning, 2 Information. */
  type: number;
}

export interface AlertEvent {
  outcome: AlertOutcome;
  status: { num: number; text: string };
  execution: {
    resultId: string;
    executionId: string;
    node: string;
    startTime: string;
    stopTime: string;
    durationMs: number;
    details: AlertDetail[];
    scriptLogSize: number;
  };
  task: {
    id: string;
    name: string;
    type: number;
    typeName: string;
    tags: string[];
    customProperties: NameValue[];
    isManuallyTriggered: boolean | null;
    isPartialReload: boolean | null;
    maxRetries: number | null;
    modifiedDate: string | null;
    modifiedByUserName: string | null;
  };
  app: {
    id: string;
    name: string;
    description: string | null;
    stream: string | null;
    owner: { name: string; userDirectory: string; userId: string; email: string | null } | null;
  } | null;
  /** null: no log (not a reload task, or the download failed; see `scriptLogError`). */
  scriptLog: { head: string[]; tail: string[]; totalLines: number } | null;
  scriptLogError: string | null;
}

/** Everything the task selection needs, known before the (costlier) enrichment. */
export interface TaskFacts {
  id: string;
  tags: string[];
  customProperties: NameValue[];
}
