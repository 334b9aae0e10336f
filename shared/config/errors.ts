/**
 * The one error type of config loading. `pointer` is the JSON pointer of the bad setting
 * ("" = the whole file), so the host can name it before exiting. Messages never carry a secret's value.
 */
export class ConfigError extends Error {
  readonly pointer: string;
  /** Absolute path of the config file involved, or null when running without one. */
  readonly file: string | null;

  constructor(pointer: string, message: string, file: string | null = null) {
    super(message);
    this.name = 'ConfigError';
    this.pointer = pointer;
    this.file = file;
  }
}

/** " (config file /abs/path)" or " (no config file)": every message says which file was read. */
export function fileSuffix(file: string | null): string {
  return file === null ? ' (no config file)' : ` (config file ${file})`;
}

/** JSON pointers (RFC 6901) name the bad setting in every ConfigError. */

export function escapeSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function joinPointer(parent: string, segment: string | number): string {
  return `${parent}/${escapeSegment(String(segment))}`;
}

/** True when `pointer` is `ancestor` itself or lies below it. */
export function isWithin(pointer: string, ancestor: string): boolean {
  return pointer === ancestor || pointer.startsWith(`${ancestor}/`);
}
