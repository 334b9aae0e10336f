/** Pure parts of the QRS client: filter literals, query encoding, xrfkey, X-Qlik-User. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { customPropertyFilter, idFilter, isGuid, qrsString, tagFilter } from '../../shared/sense/filter';
import { qlikUserHeader } from '../../shared/sense/identity';
import { encodeQuery } from '../../shared/sense/query';
import { newXrfkey } from '../../shared/sense/xrfkey';

describe('qrsString', () => {
  it('quotes and doubles inner single quotes', () => {
    assert.equal(qrsString("R&D's"), "'R&D''s'");
    assert.equal(qrsString(''), "''");
    assert.equal(qrsString("''"), "''''''");
  });
});

describe('filters', () => {
  it('builds id, tag and custom-property filters', () => {
    assert.equal(idFilter(['a', 'b']), 'id eq a or id eq b');
    assert.equal(
      tagFilter(['Nightly', "R&D #1 'x'"]),
      "tags.name eq 'Nightly' or tags.name eq 'R&D #1 ''x'''",
    );
    assert.equal(
      customPropertyFilter([
        { name: 'Team', value: "ops & dev #2 'a'" },
        { name: 'Env', value: 'Prod' },
      ]),
      "(customProperties.definition.name eq 'Team' and customProperties.value eq 'ops & dev #2 ''a''') or " +
        "(customProperties.definition.name eq 'Env' and customProperties.value eq 'Prod')",
    );
  });

  it('recognises GUIDs in any case and nothing else', () => {
    assert.ok(isGuid('B4BD04B6-0CFB-4A9A-993E-D35CA8CE70B6'));
    assert.ok(!isGuid('b4bd04b6-0cfb-4a9a-993e-d35ca8ce70b6 or 1 eq 1'));
    assert.ok(!isGuid(''));
  });
});

describe('encodeQuery', () => {
  it('percent-encodes every value so nothing can cut the query', () => {
    const filter = "tags.name eq 'R&D #1 ''x''' or tags.name eq '100% ?=Größe ✓'";
    const query = encodeQuery({ filter, xrfkey: 'abc' });
    assert.doesNotMatch(query.split('&')[0] ?? '', /[ #?+]/);
    assert.equal(query.split('&').length, 2);
    assert.ok(query.includes('%20'));
    const parsed = new URLSearchParams(query);
    assert.equal(parsed.get('filter'), filter);
    assert.equal(parsed.get('xrfkey'), 'abc');
  });

  it('keeps a literal plus as %2B', () => {
    assert.equal(encodeQuery({ v: 'a+b c' }), 'v=a%2Bb%20c');
  });
});

describe('newXrfkey', () => {
  it('gives 16 alphanumerics, fresh every time', () => {
    const keys = new Set(Array.from({ length: 200 }, () => newXrfkey()));
    assert.equal(keys.size, 200);
    for (const key of keys) assert.match(key, /^[0-9A-Za-z]{16}$/);
  });
});

describe('qlikUserHeader', () => {
  it('URL-encodes directory and user id', () => {
    assert.equal(
      qlikUserHeader({ userDirectory: 'INTERNAL', userId: 'sa_repository' }),
      'UserDirectory=INTERNAL; UserId=sa_repository',
    );
    assert.equal(
      qlikUserHeader({ userDirectory: 'ACME CORP', userId: 'jö;=x' }),
      'UserDirectory=ACME%20CORP; UserId=j%C3%B6%3B%3Dx',
    );
  });
});
