/**
 * Imported by every function file before it registers anything. Registration needs the API's auth
 * level at import time, so the config is read there without throwing (an import-time throw would
 * silently drop every later function file on the real host). `appStart` reads it again, strictly:
 * the app settings are final by then, and a bad config stops start-up naming the setting.
 */
import { app } from '@azure/functions';
import { ConfigError } from './config/errors';
import { tryLoadConfig, loadConfig } from './config/load';
import { ApiError } from './http/errors';
import { consoleLogger } from './log';
import { buildServices, type Services } from './services';
import { StateLockedError } from './state/dir-lock';
import { StateCorruptError } from './state/file-store';

const atImport = tryLoadConfig();
let current: Services | undefined;

/** The config as read at import (undefined when it failed): registration-time choices only. */
export const importedConfig = atImport.ok ? atImport.config : undefined;

/** `api.auth: anonymous` registers the API functions anonymous (drop-in mode for Butler installs). */
export const apiAuthLevel: 'function' | 'anonymous' =
  atImport.ok && atImport.config.api.auth === 'anonymous' ? 'anonymous' : 'function';

app.hook.appStart(() => {
  const config = loadConfig();
  if (config.api.auth !== apiAuthLevel) {
    consoleLogger.warn(
      `api.auth changed to '${config.api.auth}' after the functions were registered; restart the process to apply it`,
    );
  }
  if (apiAuthLevel === 'anonymous') {
    consoleLogger.warn(
      'api.auth is anonymous: every API endpoint answers without a function key. Use it only behind --allow or a firewall.',
    );
  }
  current = buildServices(config);
});

app.hook.appTerminate(async () => {
  const closing = current;
  current = undefined;
  await closing?.close();
});

/**
 * The services of the running host. Without them (appStart failed on a host that keeps serving, as
 * the real one does), build them now; a config error then answers 503 naming the bad setting.
 */
export function getServices(): Services {
  if (!current) {
    try {
      current = buildServices(loadConfig());
    } catch (err) {
      if (err instanceof ConfigError) throw new ApiError('NOT_CONFIGURED', err.message, { cause: err });
      if (err instanceof StateCorruptError || err instanceof StateLockedError) {
        consoleLogger.error(err.message);
        throw new ApiError('STATE_UNAVAILABLE', 'The state store could not be opened; see the host log', {
          cause: err,
        });
      }
      throw err;
    }
  }
  return current;
}
