/** Builds the state backend `state.backend` names (see docs/state.md). */
import type { ButlerConfig } from '../config/types';
import type { Logger } from '../log';
import { createFileStateStore } from './file-store';
import { createMemoryStateStore } from './memory-store';
import type { StateStore } from './store';
import { createTableStateStore } from './table-store';

/**
 * Throws StateCorruptError (file backend, an unreadable state file), StateLockedError (file backend,
 * another running host owns the directory) or a plain Error naming the missing setting, so the host
 * does not start on state it cannot trust.
 */
export function createStateStore(config: ButlerConfig['state'], log: Logger): StateStore {
  switch (config.backend) {
    case 'memory':
      log.warn('state.backend is memory: key-values and schedules are lost when the process ends');
      return createMemoryStateStore();
    case 'table': {
      const { connectionString, tablePrefix } = config.table;
      if (!connectionString) {
        throw new Error('state.table.connectionString is required when state.backend is table');
      }
      return createTableStateStore({ connectionString, tablePrefix });
    }
    case 'file':
      return createFileStateStore({ dir: config.dir });
  }
}
