/**
 * Starts the embedded host with this project's own functions and a config written for the test.
 * One host per process at a time (registrations are captured once per process).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { request, type Dispatcher } from 'undici';
import { startEmbeddedHost, type EmbeddedHost, type EmbeddedHostOptions } from '../../runtime/host';

/** The repository root (this file runs from dist/test/helpers). */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');

export interface ProductHost {
  host: EmbeddedHost;
  url: string;
  key: string;
  dir: string;
  /** A request with the default function key in the header. */
  call(
    pathAndQuery: string,
    init?: { method?: string; headers?: Record<string, string>; body?: string | object; key?: string | null },
  ): Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    text: string;
    json: unknown;
  }>;
  close(): Promise<void>;
}

export interface ProductHostOptions extends Partial<Omit<EmbeddedHostOptions, 'root'>> {
  /** Written as the config file (JSON) and named by BUTLER_CONFIG_FILE. */
  config?: Record<string, unknown>;
  dispatcher?: Dispatcher;
}

export async function startProductHost(opts: ProductHostOptions = {}): Promise<ProductHost> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'butler-host-'));
  const settings: Record<string, string> = { ...opts.settings };
  const config = { state: { dir: path.join(dir, 'data') }, ...opts.config };
  const configFile = path.join(dir, 'butler.config.json');
  await writeFile(configFile, JSON.stringify(config, null, 2));
  settings.BUTLER_CONFIG_FILE = configFile;
  const { config: _c, dispatcher, ...hostOpts } = opts;
  const host = await startEmbeddedHost({
    localSettings: false,
    keysDir: path.join(dir, 'keys'),
    ...hostOpts,
    settings,
    root: PROJECT_ROOT,
    port: 0,
  });
  const key = host.keys.default ?? host.keys.master;
  return {
    host,
    url: host.url,
    key,
    dir,
    async call(pathAndQuery, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      const useKey = init.key === undefined ? key : init.key;
      if (useKey !== null) headers['x-functions-key'] = useKey;
      let body: string | undefined;
      if (typeof init.body === 'string') body = init.body;
      else if (init.body !== undefined) {
        body = JSON.stringify(init.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await request(new URL(pathAndQuery, host.url), {
        method: init.method ?? 'GET',
        headers,
        body,
        dispatcher,
      });
      const text = await res.body.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: res.statusCode, headers: res.headers, text, json };
    },
    async close() {
      await host.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
