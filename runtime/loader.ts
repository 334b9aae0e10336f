import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { getCoreShim, installCoreShim, type CoreShim } from './core-shim';
import { expandGlob } from './glob';
import { getCapabilitiesWithStreamListener } from './http-stream-listener';
import type { HostLog } from './log';

export interface LoadedApp {
  root: string;
  files: string[];
  shim: CoreShim;
  capabilities: Record<string, string>;
}

/** Registrations are captured once per process (the module cache would not re-run registrations anyway). */
let loaded: Promise<LoadedApp> | undefined;
let loadedRoot: string | undefined;

async function readMain(root: string): Promise<string> {
  const file = path.join(root, 'package.json');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new Error(`Cannot read ${file}: the function app root needs a package.json with "main"`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  const main = (parsed as { main?: unknown } | null)?.main;
  if (typeof main !== 'string' || !main.trim()) throw new Error(`${file} has no "main" entry point`);
  return main;
}

async function loadEntryPoint(file: string): Promise<void> {
  // Same rule as the worker: ES modules through import(), everything else through require.
  if (file.endsWith('.mjs')) await import(pathToFileURL(file).href);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- entry points are only known at run time
  else require(file);
}

async function loadOnce(root: string, log: HostLog): Promise<LoadedApp> {
  const shim = getCoreShim() ?? installCoreShim();
  const main = await readMain(root);
  const files = await expandGlob(root, main);
  if (files.length === 0) throw new Error(`Found zero files matching the entry point "${main}" in ${root}`);
  for (const file of files) {
    try {
      await loadEntryPoint(path.join(root, file));
    } catch (err) {
      // The real worker stops at the first failing file; we fail start-up instead of serving 404s.
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(`Worker was unable to load entry point "${file}": ${reason}`, { cause: err });
    }
  }
  let capabilities: Record<string, string> = {};
  const model = shim.programmingModel;
  // With app.setup({ enableHttpStream: true }) this also starts the library's listener (HttpUri).
  if (model) capabilities = await getCapabilitiesWithStreamListener(model, log);
  else log('Warning: no function was registered by the entry points (is @azure/functions used?)');
  shim.lockRegistration();
  return { root, files, shim, capabilities };
}

/**
 * Expands `package.json#main`, loads each file in sorted order (fail fast), then calls
 * `getCapabilities` (locks `app.setup`; `capabilities.HttpUri` is set when the app streams HTTP).
 * A second call in the same process re-uses the first result.
 */
export function loadFunctionApp(root: string, log: HostLog): Promise<LoadedApp> {
  const resolved = path.resolve(root);
  if (loaded && loadedRoot !== resolved) {
    return Promise.reject(
      new Error(
        `This process already loaded the function app at ${loadedRoot ?? '?'}; ` +
          `registrations are captured once per process, so ${resolved} cannot be loaded too`,
      ),
    );
  }
  if (!loaded) {
    loadedRoot = resolved;
    loaded = loadOnce(resolved, log);
  }
  return loaded;
}

/** Runs `appStart` hooks with the worker's context shape; a throwing hook fails start-up. */
export async function runAppStartHooks(
  app: LoadedApp,
  appLevelHookData: Record<string, unknown>,
): Promise<void> {
  try {
    await app.shim.runHooks('appStart', {
      hookData: appLevelHookData,
      appHookData: app.shim.appHookData,
      functionAppDirectory: app.root,
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`An appStart hook failed: ${reason}`, { cause: err });
  }
}

export async function runAppTerminateHooks(
  app: LoadedApp,
  appLevelHookData: Record<string, unknown>,
): Promise<void> {
  await app.shim.runHooks('appTerminate', { hookData: appLevelHookData, appHookData: app.shim.appHookData });
}
