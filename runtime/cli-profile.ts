/**
 * What a product tells the generic CLI (`cli.js start`): its name, the app settings behind the flags, its
 * own flags and defaults, and a start-up check. The host knows no product; the package that ships
 * `dist/runtime/cli.js` names its profile module in package.json:
 * `"embeddedHost": { "profile": "dist/product/host-profile.js" }` (a module exporting `hostProfile`).
 * Without one the CLI runs any function app with the host's own defaults.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { FlagSpec, HostFlagName } from './cli-args';

export interface ProfileFlag extends Partial<FlagSpec> {
  /** For a product flag: the app setting the flag's value is put in (required for product flags). */
  setting?: string;
  /** The value is a path: resolved against the working directory before it becomes the setting. */
  file?: boolean;
}

/** Defaults the profile derives once the app settings are final (local.settings.json, flags, defaults). */
export interface ProfileDefaults {
  keysDir?: string;
  timerStatusDir?: string;
}

export interface HostProfile {
  /** Shown in the start-up lines, the failure line and the homepage, e.g. "Contoso Functions". */
  name: string;
  /** `id` in `/admin/host/status`. */
  hostId?: string;
  /** One plain-text sentence for the homepage. */
  homepageNote?: string;
  /** Hidden app setting that serves another function app root (tests, development). */
  appRootSetting?: string;
  /**
   * App settings for the host's flags, extra help text, and the product's own flags. The keys-dir
   * setting is set to the directory actually used, so the app can read keys from it too.
   */
  flags?: Partial<Record<HostFlagName, ProfileFlag>> & Record<string, ProfileFlag>;
  /** App settings applied when unset or empty (after local.settings.json, before the flags). */
  defaultSettings?: Record<string, string>;
  /** Runs before the host starts, with the settings in `env`; a thrown Error fails start-up (exit 1). */
  prepare?(ctx: { env: NodeJS.ProcessEnv; cwd: string }): ProfileDefaults | Promise<ProfileDefaults>;
}

export const GENERIC_PROFILE: HostProfile = { name: 'Functions' };

function isProfile(value: unknown): value is HostProfile {
  return typeof value === 'object' && value !== null && typeof (value as HostProfile).name === 'string';
}

/** Reads `embeddedHost.profile` from `<packageRoot>/package.json` and loads that module's `hostProfile`. */
export async function loadHostProfile(packageRoot: string): Promise<HostProfile> {
  let pkg: unknown;
  try {
    pkg = JSON.parse(await fs.readFile(path.join(packageRoot, 'package.json'), 'utf8'));
  } catch {
    return GENERIC_PROFILE;
  }
  const ref = (pkg as { embeddedHost?: { profile?: unknown } } | null)?.embeddedHost?.profile;
  if (ref === undefined) return GENERIC_PROFILE;
  if (typeof ref !== 'string' || ref === '') {
    throw new Error(`${path.join(packageRoot, 'package.json')}: embeddedHost.profile must be a module path`);
  }
  const file = path.resolve(packageRoot, ref);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the profile is named at run time
  const loaded = require(file) as { hostProfile?: unknown };
  if (!isProfile(loaded.hostProfile)) throw new Error(`${file} does not export a hostProfile with a name`);
  return loaded.hostProfile;
}
