/**
 * Path rules of the file operations, without sockets: parsing and normalisation, segment-wise
 * containment and real-path resolution, for POSIX and (injected) Windows rules.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dirApproves, pairApproves } from '../../shared/fileops/approval';
import { isWithin } from '../../shared/fileops/containment';
import { hostPathStyle, type PathStyle } from '../../shared/fileops/path-style';
import { displayPath, joinBelowRoot, parseRequestPath } from '../../shared/fileops/request-path';
import { resolveReal, type RealpathFn } from '../../shared/fileops/resolve-real';
import { ApiError, type ErrorCode } from '../../shared/http/errors';

const where = { field: 'fromFile', operation: 'file copy' };

function parse(raw: string, style: PathStyle): string {
  return parseRequestPath(raw, where, style);
}

function refused(fn: () => unknown, code: ErrorCode, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

/** A fake file system for realpath: keys compared case-insensitively, as Windows does. */
function fakeWindowsRealpath(existing: Record<string, string>): RealpathFn {
  const table = new Map(Object.entries(existing).map(([k, v]) => [k.toLowerCase(), v]));
  return (p) => {
    const hit = table.get(p.toLowerCase());
    if (hit !== undefined) return Promise.resolve(hit);
    return Promise.reject(Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' }));
  };
}

describe('platform', () => {
  test('Windows rules apply only on win32', () => {
    assert.equal(hostPathStyle('win32'), 'win32');
    assert.equal(hostPathStyle('linux'), 'posix');
    assert.equal(hostPathStyle('darwin'), 'posix');
  });
});

describe('request paths on a POSIX host', () => {
  test('absolute paths are normalised: dots collapsed, backslashes are separators, %23 is #', () => {
    assert.equal(parse('/data/qvd/x.qvd', 'posix'), '/data/qvd/x.qvd');
    assert.equal(parse('/data/qvd/../x.qvd', 'posix'), '/data/x.qvd');
    assert.equal(parse('/data\\qvd/./sub\\x.qvd', 'posix'), '/data/qvd/sub/x.qvd');
    assert.equal(parse('/data//qvd/a%23b.qvd', 'posix'), '/data/qvd/a#b.qvd');
    assert.equal(parse('/../../etc/passwd', 'posix'), '/etc/passwd');
    assert.equal(parse('/data/qvd/', 'posix'), '/data/qvd');
  });

  test('percent-encoded dot segments are refused as escapes; encoded dots inside a name are kept', () => {
    for (const raw of ['/data/qvd/%2e%2e/etc', '/data/qvd/%2E%2E', '/data/qvd/.%2e/x', '/data/%2e/x']) {
      refused(() => parse(raw, 'posix'), 'FILE_NOT_APPROVED', /percent-encoded/);
    }
    assert.equal(parse('/data/qvd/a%2e%2eb/x', 'posix'), '/data/qvd/a%2e%2eb/x');
  });

  test('relative, drive-letter, UNC and device paths are refused with the field named', () => {
    refused(() => parse('data/x.qvd', 'posix'), 'PATH_NOT_ABSOLUTE', /body\/fromFile/);
    refused(() => parse('./x', 'posix'), 'PATH_NOT_ABSOLUTE');
    refused(() => parse('C:\\data\\x.qvd', 'posix'), 'PATH_NOT_ABSOLUTE', /drive letter/);
    refused(() => parse('C:/data/x.qvd', 'posix'), 'PATH_NOT_ABSOLUTE');
    refused(() => parse('\\\\server\\share\\x.qvd', 'posix'), 'UNC_NOT_SUPPORTED', /file copy.*fromFile/);
    refused(() => parse('//server/share/x.qvd', 'posix'), 'UNC_NOT_SUPPORTED');
    refused(() => parse('\\\\?\\C:\\x', 'posix'), 'VALIDATION', /body\/fromFile/);
    refused(() => parse('//./pipe/x', 'posix'), 'VALIDATION');
  });

  test('empty and NUL-carrying paths are refused', () => {
    refused(() => parse('', 'posix'), 'MISSING_PARAMETER', /fromFile/);
    refused(() => parse('   ', 'posix'), 'MISSING_PARAMETER');
    refused(() => parse('/data/x\0.qvd', 'posix'), 'VALIDATION', /NUL/);
  });
});

describe('request paths on a Windows host (injected)', () => {
  test('drive paths in either separator become native paths', () => {
    assert.equal(parse('C:/Data/QVD/x.qvd', 'win32'), 'C:\\Data\\QVD\\x.qvd');
    assert.equal(parse('c:\\data/qvd\\..\\x.qvd', 'win32'), 'c:\\data\\x.qvd');
    assert.equal(parse('C:/Data/a%23b.qvd', 'win32'), 'C:\\Data\\a#b.qvd');
    assert.equal(parse('C:/', 'win32'), 'C:\\');
  });

  test('UNC shares are accepted, as the subs send them (//server/share) or natively; .. stops at the share', () => {
    assert.equal(parse('//srv/share/dir/x.qvd', 'win32'), '\\\\srv\\share\\dir\\x.qvd');
    assert.equal(parse('\\\\srv\\share\\dir/x.qvd', 'win32'), '\\\\srv\\share\\dir\\x.qvd');
    assert.equal(parse('\\\\srv\\share\\..\\..\\other\\x', 'win32'), '\\\\srv\\share\\other\\x');
  });

  test('paths without a drive or share, and device prefixes, are refused', () => {
    refused(() => parse('/data/x.qvd', 'win32'), 'PATH_NOT_ABSOLUTE', /drive letter/);
    refused(() => parse('C:data\\x.qvd', 'win32'), 'PATH_NOT_ABSOLUTE');
    refused(() => parse('data\\x.qvd', 'win32'), 'PATH_NOT_ABSOLUTE');
    refused(() => parse('\\\\srv', 'win32'), 'PATH_NOT_ABSOLUTE', /UNC share/);
    refused(() => parse('\\\\?\\C:\\data\\x', 'win32'), 'VALIDATION', /prefix/);
    refused(() => parse('\\\\.\\PhysicalDrive0', 'win32'), 'VALIDATION');
    refused(() => parse('//?/UNC/srv/share', 'win32'), 'VALIDATION');
  });

  test('names Windows would alter or refuse are 400', () => {
    refused(() => parse('C:\\data\\x.qvd:hidden', 'win32'), 'VALIDATION', /not allow/);
    refused(() => parse('C:\\data\\a<b.qvd', 'win32'), 'VALIDATION');
    refused(() => parse('C:\\data\\x.qvd.', 'win32'), 'VALIDATION', /dot or space/);
    refused(() => parse('C:\\data \\x.qvd', 'win32'), 'VALIDATION');
    refused(() => parse('C:\\data\\a\u0001b', 'win32'), 'VALIDATION');
    refused(() => parse('C:\\data\\NUL', 'win32'), 'VALIDATION', /device/);
    refused(() => parse('C:\\data\\com1.txt', 'win32'), 'VALIDATION', /device/);
    assert.equal(parse('C:\\data\\console.txt', 'win32'), 'C:\\data\\console.txt');
  });

  test('paths are echoed with forward slashes', () => {
    assert.equal(displayPath('C:\\Data\\x.qvd', 'win32'), 'C:/Data/x.qvd');
    assert.equal(displayPath('\\\\srv\\share\\x', 'win32'), '//srv/share/x');
    assert.equal(displayPath('/data/x', 'posix'), '/data/x');
  });
});

describe('createdirqvd joins below the root', () => {
  const dirWhere = { field: 'directory', operation: 'QVD directory creation' };
  test('POSIX: absolute-looking input stays below the root; "" is the root; .. can leave (checked later)', () => {
    assert.equal(joinBelowRoot('/qvd', '2020/01', dirWhere, 'posix'), '/qvd/2020/01');
    assert.equal(joinBelowRoot('/qvd', '/abs/2020', dirWhere, 'posix'), '/qvd/abs/2020');
    assert.equal(joinBelowRoot('/qvd', '', dirWhere, 'posix'), '/qvd');
    assert.equal(joinBelowRoot('/qvd', 'a\\b%23c', dirWhere, 'posix'), '/qvd/a/b#c');
    assert.equal(joinBelowRoot('/qvd', '../etc', dirWhere, 'posix'), '/etc');
  });

  test('Windows: separators mixed; a drive or stream inside the name is refused', () => {
    assert.equal(joinBelowRoot('C:\\QVD', 'a/b\\c', dirWhere, 'win32'), 'C:\\QVD\\a\\b\\c');
    assert.equal(joinBelowRoot('C:\\QVD', '//srv/share', dirWhere, 'win32'), 'C:\\QVD\\srv\\share');
    refused(() => joinBelowRoot('C:\\QVD', 'D:/x', dirWhere, 'win32'), 'VALIDATION', /body\/directory/);
  });
});

describe('containment', () => {
  test('POSIX: segment-wise and case-sensitive; the directory itself only when allowed', () => {
    const strict = { allowEqual: false };
    assert.equal(isWithin('/data/qvd/x.qvd', '/data/qvd', 'posix', strict), true);
    assert.equal(isWithin('/data/qvd/a/b/x.qvd', '/data/qvd', 'posix', strict), true);
    assert.equal(isWithin('/data/qvd', '/data/qvd', 'posix', strict), false);
    assert.equal(isWithin('/data/qvd', '/data/qvd', 'posix', { allowEqual: true }), true);
    assert.equal(isWithin('/data/qvd2/x.qvd', '/data/qvd', 'posix', strict), false);
    assert.equal(isWithin('/data/QVD/x.qvd', '/data/qvd', 'posix', strict), false);
    assert.equal(isWithin('/data', '/data/qvd', 'posix', strict), false);
    assert.equal(isWithin('/etc/passwd', '/', 'posix', strict), true);
  });

  test('Windows: case-insensitive drive, share and names; other drives and shares are outside', () => {
    const strict = { allowEqual: false };
    assert.equal(isWithin('c:\\DATA\\qvd\\x.qvd', 'C:\\Data\\QVD', 'win32', strict), true);
    assert.equal(isWithin('C:/Data/QVD/x.qvd', 'C:\\Data\\QVD', 'win32', strict), true);
    assert.equal(isWithin('D:\\Data\\QVD\\x.qvd', 'C:\\Data\\QVD', 'win32', strict), false);
    assert.equal(isWithin('C:\\Data\\QVD2\\x.qvd', 'C:\\Data\\QVD', 'win32', strict), false);
    assert.equal(isWithin('\\\\SRV\\Share\\d\\x', '\\\\srv\\share\\d', 'win32', strict), true);
    assert.equal(isWithin('\\\\srv\\share\\d\\x', '\\\\srv\\share\\d\\', 'win32', strict), true);
    assert.equal(isWithin('\\\\srv\\share2\\d\\x', '\\\\srv\\share\\d', 'win32', strict), false);
    assert.equal(isWithin('\\\\srv\\share\\x', 'C:\\srv\\share', 'win32', strict), false);
    // Windows does not fold ß to SS: a name that differs only so is another directory.
    assert.equal(isWithin('C:\\Data\\STRASSE\\x', 'C:\\Data\\Straße', 'win32', strict), false);
  });
});

describe('real-path resolution (injected Windows file system)', () => {
  const realpath = fakeWindowsRealpath({
    'C:\\': 'C:\\',
    'C:\\Data': 'C:\\Data',
    'C:\\Data\\In': 'C:\\Data\\In',
    'C:\\Data\\In\\a.qvd': 'C:\\Data\\In\\a.qvd',
    'C:\\Data\\In\\escape.qvd': 'D:\\Secret\\b.qvd',
    'C:\\Data\\QVD': 'C:\\Data\\QVD',
    'C:\\Data\\QVD\\link': 'D:\\Elsewhere',
  });
  const rules = { style: 'win32' as const, realpath };
  const pairs = [{ from: 'c:\\data\\in', to: 'C:\\DATA\\QVD' }];

  test('an existing path resolves through links; a new one through its nearest existing ancestor', async () => {
    assert.equal(await resolveReal('c:\\data\\in\\a.qvd', 'win32', realpath), 'C:\\Data\\In\\a.qvd');
    assert.equal(
      await resolveReal('C:\\Data\\QVD\\new\\x.qvd', 'win32', realpath),
      'C:\\Data\\QVD\\new\\x.qvd',
    );
    assert.equal(
      await resolveReal('C:\\Data\\QVD\\link\\new\\x.qvd', 'win32', realpath),
      'D:\\Elsewhere\\new\\x.qvd',
    );
  });

  test('a pair approves only when its from holds the source and its to holds the destination', async () => {
    const ok = await pairApproves(
      await resolveReal('C:\\data\\IN\\a.qvd', 'win32', realpath),
      await resolveReal('c:\\data\\qvd\\2024\\a.qvd', 'win32', realpath),
      pairs,
      rules,
    );
    assert.equal(ok, true);
    const linkedSource = await resolveReal('C:\\Data\\In\\escape.qvd', 'win32', realpath);
    const ok2 = await pairApproves(linkedSource, 'C:\\Data\\QVD\\b.qvd', pairs, rules);
    assert.equal(ok2, false, 'a source linked outside is refused');
    const linkedDest = await resolveReal('C:\\Data\\QVD\\link\\a.qvd', 'win32', realpath);
    assert.equal(await pairApproves('C:\\Data\\In\\a.qvd', linkedDest, pairs, rules), false);
    assert.equal(
      await pairApproves('C:\\Data\\QVD\\x.qvd', 'C:\\Data\\In\\x.qvd', pairs, rules),
      false,
      'a pair is directional',
    );
  });

  test('a configured directory that does not exist approves nothing', async () => {
    const missing = [{ from: 'C:\\Nowhere', to: 'C:\\Data\\QVD' }];
    assert.equal(await pairApproves('C:\\Nowhere\\x', 'C:\\Data\\QVD\\x', missing, rules), false);
    assert.equal(await dirApproves('C:\\Nowhere\\x', ['C:\\Nowhere'], rules, { allowEqual: true }), false);
    assert.equal(await dirApproves('C:\\Data\\QVD', ['c:\\data\\qvd'], rules, { allowEqual: true }), true);
  });

  test('a drive that does not exist resolves to the path as written (then refused as not approved)', async () => {
    assert.equal(await resolveReal('Q:\\x\\y.qvd', 'win32', realpath), 'Q:\\x\\y.qvd');
    assert.equal(await pairApproves('Q:\\x\\y.qvd', 'C:\\Data\\QVD\\y.qvd', pairs, rules), false);
  });

  test('resolution errors other than "missing" propagate', async () => {
    const looping: RealpathFn = () => Promise.reject(Object.assign(new Error('loop'), { code: 'ELOOP' }));
    await assert.rejects(resolveReal('C:\\a\\b', 'win32', looping), { code: 'ELOOP' });
  });
});
