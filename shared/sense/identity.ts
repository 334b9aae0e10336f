/** The `X-Qlik-User` header (docs/sense-facts.md §3.2): picks the security context for certificate-trusted calls. */
import type { SenseConfig } from '../config/types';

export const QLIK_USER_HEADER = 'X-Qlik-User';

export function qlikUserHeader(cfg: Pick<SenseConfig, 'userDirectory' | 'userId'>): string {
  return `UserDirectory=${encodeURIComponent(cfg.userDirectory)}; UserId=${encodeURIComponent(cfg.userId)}`;
}
