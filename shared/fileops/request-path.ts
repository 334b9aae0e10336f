/**
 * Turns a path from a request body into a normalised absolute path for this host, or refuses it with
 * a 400 naming the field. Nothing here touches the file system; containment is checked later on real
 * paths (see containment.ts and resolve-real.ts).
 *
 * Rules (docs/file-operations.md):
 * - Qlik's load-script subs send `#` as `%23`; that one escape is decoded. Nothing else is decoded;
 *   a segment that would decode to `.` or `..` (`%2e%2e`, `.%2E`) is refused with 403 as an escape
 *   attempt rather than taken as an odd file name.
 * - `\` and `/` are both separators (the subs turn `\` into `/`; Windows accepts both).
 * - Absolute only: `C:\…` or `\\server\share\…` on Windows, `/…` elsewhere. Device and long-path
 *   prefixes (`\\?\`, `\\.\`) are refused; a UNC path on a non-Windows host is UNC_NOT_SUPPORTED.
 * - `.` and `..` are collapsed textually. The result is what gets checked and what gets touched, so a
 *   `..` can only lead somewhere the containment check then judges.
 */
import { ApiError } from '../http/errors';
import { pathModule, type PathStyle } from './path-style';

export interface PathField {
  /** Body field name, for messages (`body/<field>`). */
  field: string;
  /** Operation name for messages, e.g. "file copy". */
  operation: string;
}

// Characters Windows refuses in a name, plus ASCII controls. `:` outside the drive would address an
// alternate data stream.
const WINDOWS_BAD_CHAR = /[<>:"|?*]/;
// DOS device names, with or without an extension, open a device instead of a file on Windows.
const WINDOWS_DEVICE_NAME =
  /^(con|prn|aux|nul|conin\$|conout\$|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3])(\..*)?$/i;
const hasControlChar = (name: string): boolean => [...name].some((ch) => ch.charCodeAt(0) < 0x20);
const DRIVE_ROOT = /^[A-Za-z]:\//;
const DEVICE_PREFIX = /^\/\/[?.](\/|$)/;
const UNC_PREFIX = /^\/\/[^/]/;

function invalid(where: PathField, reason: string): ApiError {
  return new ApiError('VALIDATION', `body/${where.field} ${reason}`);
}

// A segment made only of dots, some of them percent-encoded: `%2e`, `%2e%2e`, `.%2E`, `%2e.`.
const ENCODED_DOT_SEGMENT = /(^|\/)(?=[^/]*%2e)(\.|%2e){1,2}(\/|$)/i;

/** `%23` → `#`, the only escape the subs produce. */
export function decodeHash(raw: string): string {
  return raw.replace(/%23/gi, '#');
}

/** Refuses what no platform can open: NUL bytes, and on Windows names the file system would alter or refuse. */
export function checkSegments(segments: readonly string[], where: PathField, style: PathStyle): void {
  for (const segment of segments) {
    if (segment.includes('\0')) throw invalid(where, 'must not contain NUL characters');
    if (style !== 'win32') continue;
    if (WINDOWS_BAD_CHAR.test(segment) || hasControlChar(segment)) {
      throw invalid(where, `has a name with a character Windows does not allow: '${segment}'`);
    }
    if (WINDOWS_DEVICE_NAME.test(segment)) {
      throw invalid(where, `has a name Windows reserves for a device: '${segment}'`);
    }
    // Windows silently drops trailing dots and spaces, so `a.` would open `a`: refuse the ambiguity.
    if (/[. ]$/.test(segment)) {
      throw invalid(where, `has a name ending in a dot or space, which Windows would alter: '${segment}'`);
    }
  }
}

/** Segments after the root of an already-normalised native path. */
export function segmentsAfterRoot(native: string, style: PathStyle): string[] {
  const mod = pathModule(style);
  const root = mod.parse(native).root;
  return native
    .slice(root.length)
    .split(mod.sep)
    .filter((s) => s !== '');
}

function stripTrailingSeparator(native: string, style: PathStyle): string {
  const mod = pathModule(style);
  const root = mod.parse(native).root;
  let out = native;
  while (out.length > root.length && out.endsWith(mod.sep)) out = out.slice(0, -1);
  return out;
}

/** The normalised absolute native path a request field names. Throws 400 ApiErrors naming the field. */
export function parseRequestPath(raw: string, where: PathField, style: PathStyle): string {
  if (raw.trim() === '') {
    throw new ApiError('MISSING_PARAMETER', `Required parameter missing: body/${where.field} is empty`);
  }
  if (raw.includes('\0')) throw invalid(where, 'must not contain NUL characters');
  const slashed = decodeHash(raw).replace(/\\/g, '/');
  if (ENCODED_DOT_SEGMENT.test(slashed)) {
    throw new ApiError(
      where.field === 'directory' ? 'DIR_NOT_APPROVED' : 'FILE_NOT_APPROVED',
      `body/${where.field} has a percent-encoded '.' or '..' segment, refused as a path escape`,
    );
  }
  if (DEVICE_PREFIX.test(slashed)) {
    throw invalid(where, 'must not use a device or long-path prefix (\\\\?\\ or \\\\.\\)');
  }

  let native: string;
  if (UNC_PREFIX.test(slashed)) {
    if (style !== 'win32') {
      throw new ApiError(
        'UNC_NOT_SUPPORTED',
        `UNC paths are not supported for ${where.operation} when the host is not Windows (body/${where.field}: ${raw})`,
      );
    }
    const [server, share] = slashed.slice(2).split('/');
    if (!server || !share) {
      throw new ApiError(
        'PATH_NOT_ABSOLUTE',
        `body/${where.field} must name a UNC share as \\\\server\\share\\…`,
      );
    }
    native = pathModule('win32').normalize(slashed);
  } else if (DRIVE_ROOT.test(slashed)) {
    if (style !== 'win32') {
      throw new ApiError(
        'PATH_NOT_ABSOLUTE',
        `body/${where.field} uses a drive letter, which only a Windows host understands; use a /… path`,
      );
    }
    native = pathModule('win32').normalize(slashed);
  } else if (slashed.startsWith('/')) {
    if (style === 'win32') {
      // Without a drive, Windows would use the process's current drive: refuse the guess.
      throw new ApiError(
        'PATH_NOT_ABSOLUTE',
        `body/${where.field} must start with a drive letter (C:\\…) or a UNC share (\\\\server\\share\\…)`,
      );
    }
    native = pathModule('posix').normalize(slashed);
  } else {
    throw new ApiError('PATH_NOT_ABSOLUTE', `body/${where.field} must be an absolute path`);
  }

  native = stripTrailingSeparator(native, style);
  checkSegments(segmentsAfterRoot(native, style), where, style);
  return native;
}

/** How a path is echoed back: forward slashes, as Butler answered (`C:/data/x.qvd`, `//srv/share/x`). */
export function displayPath(native: string, style: PathStyle): string {
  return style === 'win32' ? native.replace(/\\/g, '/') : native;
}

/**
 * `createdirqvd`'s rule: `directory` is joined below the root even when it looks absolute
 * (`/abs/2020` → `<root>/abs/2020`), and `""` names the root itself.
 */
export function joinBelowRoot(root: string, raw: string, where: PathField, style: PathStyle): string {
  if (raw.includes('\0')) throw invalid(where, 'must not contain NUL characters');
  const mod = pathModule(style);
  const relative = decodeHash(raw).replace(/\\/g, '/').split('/').join(mod.sep);
  const native = stripTrailingSeparator(mod.join(root, relative), style);
  checkSegments(segmentsAfterRoot(native, style), where, style);
  return native;
}
