/**
 * Butler's profile for the generic embedded-host CLI (`node dist/runtime/cli.js start`, named in
 * package.json `embeddedHost.profile`): the operator contract's app settings behind each flag, the
 * `--config` flag, Butler's 1 MiB body limit, and the key directory under `state.dir`. The config is
 * validated here so a bad setting stops start-up before anything listens.
 */
import path from 'node:path';
import type { HostProfile } from '../runtime/cli-profile';
import { tryLoadConfig } from '../shared/config/load';

/** Butler's request body limit (the Functions host's own default is 100 MiB). */
export const BUTLER_BODY_LIMIT_BYTES = 1024 * 1024;

export const hostProfile: HostProfile = {
  name: 'Butler Functions',
  hostId: 'butler-embedded',
  homepageNote: 'The API lives under /v4/.',
  appRootSetting: 'BUTLER_APP_ROOT',
  flags: {
    port: { setting: 'BUTLER_PORT' },
    bind: { setting: 'BUTLER_BIND' },
    cert: { setting: 'BUTLER_TLS_CERT' },
    key: { setting: 'BUTLER_TLS_KEY' },
    'client-ca': { setting: 'BUTLER_TLS_CLIENT_CA' },
    allow: { setting: 'BUTLER_ALLOW' },
    'keys-dir': { setting: 'BUTLER_KEYS_DIR', help: 'function key directory; default <state.dir>/keys' },
    config: { setting: 'BUTLER_CONFIG_FILE', value: 'FILE', help: 'config file', file: true },
  },
  defaultSettings: { FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: String(BUTLER_BODY_LIMIT_BYTES) },
  prepare({ env, cwd }) {
    const loaded = tryLoadConfig({ env, cwd });
    if (!loaded.ok) throw new Error(`Configuration error: ${loaded.error.message}`);
    const { state } = loaded.config;
    return {
      keysDir: path.join(state.dir, 'keys'),
      timerStatusDir: state.backend === 'file' ? path.join(state.dir, 'timers') : undefined,
    };
  },
};
