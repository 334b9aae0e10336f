/**
 * .ci/audit decides from npm's own answer: a report with advisories at or above "high" fails CI, an
 * audit endpoint that does not answer is a printed skip, a clean report passes. A stand-in `npm` first
 * on PATH plays each answer.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { PROJECT_ROOT } from '../helpers/product-host';

let dir: string;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'butler-audit-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs .ci/audit with an `npm` that prints `json` and exits with `code` for `npm audit`. */
async function audit(json: object, code: number): Promise<{ code: number; output: string }> {
  const bin = await mkdtemp(path.join(dir, 'bin-'));
  const fake = path.join(bin, 'npm');
  await writeFile(path.join(bin, 'answer.json'), JSON.stringify(json));
  await writeFile(fake, `#!/bin/sh\ncat "${path.join(bin, 'answer.json')}"\nexit ${code}\n`);
  await chmod(fake, 0o755);
  return new Promise((resolve) => {
    execFile(
      'bash',
      [path.join(PROJECT_ROOT, '.ci', 'audit')],
      { env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` } },
      (err, stdout, stderr) => {
        const exit = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({ code: exit, output: stdout + stderr });
      },
    );
  });
}

test('a high advisory in a runtime dependency fails', async () => {
  const report = { auditReportVersion: 2, vulnerabilities: { lodash: { severity: 'high' } }, metadata: {} };
  const result = await audit(report, 1);
  assert.equal(result.code, 1);
  assert.match(result.output, /FAILED, high or critical advisory/);
});

test('an audit endpoint that does not answer is a printed skip', async () => {
  const refusal = {
    message: '405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk',
    error: { summary: '' },
  };
  const result = await audit(refusal, 1);
  assert.equal(result.code, 0);
  assert.match(
    result.output,
    /npm audit: SKIPPED, the registry did not answer the audit request \(405 Method Not Allowed/,
  );
});

test('a clean report passes', async () => {
  const result = await audit({ auditReportVersion: 2, vulnerabilities: {}, metadata: {} }, 0);
  assert.equal(result.code, 0);
  assert.match(result.output, /no high or critical advisory/);
});
