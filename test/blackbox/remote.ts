/**
 * Runs the black-box conformance suite against any deployment, e.g. the container on the real host:
 *   FUNC_BASE_URL=http://localhost:8080 FUNC_DEFAULT_KEY=... FUNC_MASTER_KEY=... \
 *     node --test dist/test/blackbox/remote.js
 */
import { conformanceSuite } from './conformance-suite';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Set ${name} (see the header of test/blackbox/remote.ts)`);
  return value;
}

conformanceSuite(() => ({
  baseUrl: required('FUNC_BASE_URL'),
  defaultKey: required('FUNC_DEFAULT_KEY'),
  masterKey: required('FUNC_MASTER_KEY'),
}));
