/**
 * The function key QRS puts in the callback URL (`?code=`; QRS cannot add headers). Looked up, in
 * order: app setting BUTLER_ALERTS_CALLBACK_KEY; in the key directory (app setting BUTLER_KEYS_DIR,
 * which the CLI sets to the directory it serves keys from), a key of the callback function itself
 * (`functions.alertsCallback.<name>`, least privilege), else `host.function.default`.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

export const CALLBACK_FUNCTION = 'alertsCallback';
export const CALLBACK_ROUTE = 'alerts/qrs-callback';

export async function callbackKey(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const fromSetting = env.BUTLER_ALERTS_CALLBACK_KEY?.trim();
  if (fromSetting) return fromSetting;
  const dir = env.BUTLER_KEYS_DIR;
  if (!dir) return undefined;
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return undefined;
  }
  const own = names
    .filter((n) => n.toLowerCase().startsWith(`functions.${CALLBACK_FUNCTION.toLowerCase()}.`))
    .sort();
  for (const name of [...own, 'host.function.default']) {
    if (!names.includes(name)) continue;
    const key = (await fs.readFile(path.join(dir, name), 'utf8')).trim();
    if (key) return key;
  }
  return undefined;
}

/** `<base>/alerts/qrs-callback?code=<key>`; the base is scheme, host and port only. */
export function callbackUrl(base: string, key: string): string {
  const url = new URL(`${base.replace(/\/+$/, '')}/${CALLBACK_ROUTE}`);
  url.searchParams.set('code', key);
  return url.toString();
}
