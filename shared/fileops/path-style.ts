/**
 * Which path rules apply: Windows (drive letters, UNC shares, case-insensitive names) or POSIX. The
 * host's platform decides in production; tests pass 'win32' to check the Windows rules on Linux.
 */
import path from 'node:path';

export type PathStyle = 'win32' | 'posix';

export function hostPathStyle(platform: NodeJS.Platform = process.platform): PathStyle {
  return platform === 'win32' ? 'win32' : 'posix';
}

export function pathModule(style: PathStyle): path.PlatformPath {
  return style === 'win32' ? path.win32 : path.posix;
}
