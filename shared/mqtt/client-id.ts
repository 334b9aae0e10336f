/**
 * A client id unique to this process. Two connections sharing an id make the broker drop the older
 * one, which then reconnects and drops the other: a loop. Host name + pid + random avoids that even
 * for several hosts started from one image.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';

export function uniqueClientId(): string {
  const host =
    os
      .hostname()
      .replace(/[^A-Za-z0-9-]/g, '')
      .slice(0, 20) || 'host';
  return `butler-${host}-${process.pid}-${randomBytes(4).toString('hex')}`;
}
