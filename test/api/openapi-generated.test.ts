/**
 * `openapi.yaml` is generated from the operation specs (`npm run openapi`): the committed file must be
 * exactly what the specs produce now, and every spec'd operation documents its parameters and replies.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../helpers/product-host';

const GENERATOR = path.join(PROJECT_ROOT, 'dist', 'tools', 'openapi', 'generate.js');

test('the committed openapi.yaml is the one the specs generate', () => {
  const run = spawnSync(process.execPath, [GENERATOR, '--check'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  assert.equal(
    run.status,
    0,
    run.stderr
      .split('\n')
      .filter((l) => !l.startsWith('WARNING'))
      .join('\n'),
  );
});

type Op = {
  parameters?: { name: string; in: string }[];
  responses?: Record<string, { description?: string }>;
};

test('every operation documents its path parameters and at least one success and one error reply', () => {
  const doc = parse(readFileSync(path.join(PROJECT_ROOT, 'openapi.yaml'), 'utf8')) as {
    paths: Record<string, Record<string, Op>>;
  };
  for (const [route, item] of Object.entries(doc.paths)) {
    const pathParams = [...route.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    for (const verb of ['get', 'put', 'post', 'delete']) {
      const op = item[verb];
      if (!op) continue;
      const documented = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      assert.deepEqual(documented.sort(), [...pathParams].sort(), `${verb} ${route} path parameters`);
      const statuses = Object.keys(op.responses ?? {});
      assert.ok(
        statuses.some((s) => s.startsWith('2')),
        `${verb} ${route} has a success reply`,
      );
      assert.ok(
        statuses.some((s) => s.startsWith('4')),
        `${verb} ${route} has an error reply`,
      );
    }
  }
});
