/** Temp directories holding config files for the config tests; removed in `after()`. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { tryLoadConfig, type LoadOptions } from '../../shared/config/load';
import type { ConfigError } from '../../shared/config/errors';

export class TempConfigDirs {
  private readonly dirs: string[] = [];

  /** A fresh directory containing `files` (name → content; names may include subdirectories). */
  make(files: Record<string, string> = {}): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'butler-config-test-'));
    this.dirs.push(dir);
    for (const [name, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), content);
    }
    return dir;
  }

  removeAll(): void {
    for (const dir of this.dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Loads expecting failure and returns the ConfigError. */
export function loadError(opts: LoadOptions): ConfigError {
  const result = tryLoadConfig(opts);
  assert.equal(result.ok, false, 'expected the config to be rejected');
  if (result.ok) throw new Error('unreachable');
  return result.error;
}
