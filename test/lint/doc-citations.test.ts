/**
 * Comments cite only documents inside this repository (docs/…). The team's briefing documents are not
 * shipped, so a citation of one of them is a dead reference for the next maintainer: this test lists
 * every source or test file that still has one. A name is fine as `docs/<name>` once that file exists.
 */
import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SCANNED = ['functions', 'shared', 'runtime', 'product', 'test', 'bench'];
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;
// Spelled in pieces so this file does not cite them itself.
const EXTERNAL = ['butler-api', 'qlik-sense', 'functions-host', 'contract', 'architecture'].map(
  (n) => `${n}.md`,
);
const CITATION = new RegExp(`(docs/)?\\b(${EXTERNAL.map((n) => n.replace('.', '\\.')).join('|')})`, 'g');

async function sourceFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') files.push(...(await sourceFiles(full)));
    else if (entry.isFile() && SOURCE.test(entry.name)) files.push(full);
  }
  return files;
}

/** `file:line: name` for each citation that does not point at an existing docs/ file. */
export async function externalCitations(root: string): Promise<string[]> {
  const found: string[] = [];
  for (const dir of SCANNED) {
    for (const file of await sourceFiles(path.join(root, dir))) {
      const lines = (await fs.readFile(file, 'utf8')).split('\n');
      lines.forEach((line, index) => {
        for (const match of line.matchAll(CITATION)) {
          const name = match[2] ?? '';
          if (match[1] && existsSync(path.join(root, 'docs', name))) continue;
          found.push(`${path.relative(root, file)}:${index + 1}: ${name}`);
        }
      });
    }
  }
  return found;
}

it('no source or test file cites a document outside the repository', async () => {
  const found = await externalCitations(ROOT);
  assert.deepEqual(
    found,
    [],
    `Cite docs/butler-compatibility.md, docs/sense-facts.md or docs/host-rules.md instead:\n  ${found.join('\n  ')}`,
  );
});

it('the check finds a planted citation and accepts an existing docs/ file', async () => {
  const os = await import('node:os');
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'citations-'));
  try {
    await fs.mkdir(path.join(root, 'shared', 'sense'), { recursive: true });
    await fs.mkdir(path.join(root, 'docs'));
    await fs.writeFile(path.join(root, 'docs', EXTERNAL[4] ?? ''), '# ours\n');
    await fs.writeFile(
      path.join(root, 'shared', 'sense', 'x.ts'),
      `/** See ${EXTERNAL[1] ?? ''} §3 and docs/${EXTERNAL[4] ?? ''}. */\n// docs/${EXTERNAL[0] ?? ''}\n`,
    );
    assert.deepEqual(await externalCitations(root), [
      `${path.join('shared', 'sense', 'x.ts')}:1: ${EXTERNAL[1] ?? ''}`,
      `${path.join('shared', 'sense', 'x.ts')}:2: ${EXTERNAL[0] ?? ''}`,
    ]);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});
