/**
 * The page's static files: an allow-list of `swagger-ui-dist` files (read once, kept in memory) plus
 * the page's own initializer. Any other name is unknown, so no path from the URL ever reaches the disk.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { INIT_SCRIPT } from './page';

export interface Asset {
  contentType: string;
  body: Buffer;
}

const FROM_PACKAGE: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-16x16.png': 'image/png',
  'favicon-32x32.png': 'image/png',
};

export const ASSET_NAMES: readonly string[] = [...Object.keys(FROM_PACKAGE), 'init.js'];

const loaded = new Map<string, Asset>();

function packageDir(): string {
  return path.dirname(require.resolve('swagger-ui-dist/package.json'));
}

/** The asset named exactly `name` (case-sensitive), or undefined when it is not on the list. */
export function docsAsset(name: string): Asset | undefined {
  const hit = loaded.get(name);
  if (hit) return hit;
  let asset: Asset | undefined;
  if (name === 'init.js') {
    asset = { contentType: 'text/javascript; charset=utf-8', body: Buffer.from(INIT_SCRIPT) };
  } else if (Object.hasOwn(FROM_PACKAGE, name)) {
    asset = { contentType: FROM_PACKAGE[name]!, body: readFileSync(path.join(packageDir(), name)) };
  }
  if (asset) loaded.set(name, asset);
  return asset;
}
