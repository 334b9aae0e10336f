/**
 * Copies a file so that the destination either keeps its old content or gets the whole new one:
 * the bytes stream (never buffered whole) into a temporary name in the destination's directory,
 * are flushed to disk, and only then renamed over the destination. On any failure the temporary
 * file is removed.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export type OpenRead = (file: string) => Readable;

export const openReadStream: OpenRead = (file) => createReadStream(file);

/** Temporary names start with this, so operators can recognise leftovers of a killed process. */
export const TEMP_PREFIX = '.butler-copy-';

export interface CopyOptions {
  sourceStats: Stats;
  preserveTimestamp: boolean;
  openRead: OpenRead;
}

export async function copyFileAtomically(
  source: string,
  destination: string,
  options: CopyOptions,
): Promise<void> {
  const temp = path.join(path.dirname(destination), `${TEMP_PREFIX}${randomBytes(8).toString('hex')}.tmp`);
  try {
    await pipeline(
      options.openRead(source),
      createWriteStream(temp, { flags: 'wx', mode: options.sourceStats.mode & 0o777 }),
    );
    const handle = await fs.open(temp, 'r+');
    try {
      if (options.preserveTimestamp) {
        // Seconds as fractions keep sub-millisecond precision that Date objects would drop.
        await handle.utimes(options.sourceStats.atimeMs / 1000, options.sourceStats.mtimeMs / 1000);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, destination);
  } catch (err) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
}
