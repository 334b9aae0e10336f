/** The generic CLI's product profile: found through package.json, or none (the host's own defaults). */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HOST_FLAGS, parseCliArgs, usageText, UsageError } from '../../runtime/cli-args';
import { GENERIC_PROFILE, loadHostProfile } from '../../runtime/cli-profile';
import { homepageHtml } from '../../runtime/pipeline/builtins';

let dir: string;
before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cli-profile-'));
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function pkg(name: string, json: unknown, files: Record<string, string> = {}): Promise<string> {
  const root = path.join(dir, name);
  await fs.mkdir(root, { recursive: true });
  if (json !== undefined) await fs.writeFile(path.join(root, 'package.json'), JSON.stringify(json));
  for (const [file, text] of Object.entries(files)) await fs.writeFile(path.join(root, file), text);
  return root;
}

describe('host profile', () => {
  it('is the generic one without package.json or without embeddedHost', async () => {
    assert.equal(await loadHostProfile(await pkg('none', undefined)), GENERIC_PROFILE);
    assert.equal(await loadHostProfile(await pkg('plain', { name: 'x' })), GENERIC_PROFILE);
  });

  it('loads the module package.json names', async () => {
    const root = await pkg(
      'named',
      { embeddedHost: { profile: 'profile.js' } },
      {
        'profile.js':
          "exports.hostProfile = { name: 'Contoso', flags: { port: { setting: 'CONTOSO_PORT' } } };",
      },
    );
    const profile = await loadHostProfile(root);
    assert.equal(profile.name, 'Contoso');
    assert.equal(profile.flags?.port?.setting, 'CONTOSO_PORT');
  });

  it('fails clearly on a bad reference or a module without a profile', async () => {
    const bad = await pkg('bad', { embeddedHost: { profile: 42 } });
    await assert.rejects(loadHostProfile(bad), /embeddedHost\.profile must be a module path/);
    const empty = await pkg('empty', { embeddedHost: { profile: 'p.js' } }, { 'p.js': 'exports.other = 1;' });
    await assert.rejects(loadHostProfile(empty), /does not export a hostProfile/);
  });

  it('the generic usage names no app settings and no product', () => {
    const text = usageText(HOST_FLAGS);
    assert.match(text, /--keys-dir DIR {11}function key directory; default a temporary one\n/);
    assert.doesNotMatch(text, /BUTLER|Butler|--config|\[[A-Z_, ]+\]|app setting/);
    assert.throws(() => parseCliArgs(['start', '--config', 'x.yaml']), UsageError);
  });

  it('the homepage carries the given name and escapes the sentence', () => {
    assert.match(homepageHtml(), /<title>Functions<\/title>/);
    const branded = homepageHtml('Contoso & Co', 'Paths under <b>/x</b>.');
    assert.match(branded, /<title>Contoso &#38; Co<\/title>/);
    assert.match(branded, /Paths under &#60;b&#62;\/x&#60;\/b&#62;\./);
  });
});
