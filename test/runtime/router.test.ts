import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RouteTable, validateFunctionName, type RouteRegistration } from '../../runtime/router';

function reg(functionName: string, route?: string, methods?: string[]): RouteRegistration {
  return { functionName, route, methods };
}

/** builds a table that must have no errors */
function table(regs: RouteRegistration[], prefix = ''): RouteTable {
  const built = RouteTable.build(regs, prefix);
  assert.deepEqual(built.errors, []);
  return built.table;
}

function errorsOf(regs: RouteRegistration[]): Array<{ functionName: string; message: string }> {
  return RouteTable.build(regs, '').errors;
}

describe('validateFunctionName', () => {
  it('accepts host-valid names', () => {
    for (const name of ['a', 'Status', 'task-start', 'kv_get2', `a${'b'.repeat(127)}`]) {
      assert.equal(validateFunctionName(name), null, name);
    }
  });

  it('rejects bad names with a reason', () => {
    for (const name of ['', '1abc', '_x', '-x', 'a.b', 'a b', 'ä', `a${'b'.repeat(128)}`]) {
      assert.match(validateFunctionName(name) ?? '', /invalid function name/, name);
    }
  });

  it('rejects "host" in any case', () => {
    assert.match(validateFunctionName('HOST') ?? '', /reserved/);
  });
});

describe('RouteTable registration rules', () => {
  it('uses the function name when the route is missing or empty', () => {
    const routes = table([reg('ping', undefined, ['GET']), reg('Echo', '', ['GET'])]);
    assert.deepEqual(routes.match('GET', '/ping'), { functionName: 'ping', params: {} });
    assert.deepEqual(routes.match('GET', '/echo'), { functionName: 'Echo', params: {} });
  });

  it('reports bad names, "host" and case-insensitive duplicates as errors and does not route them', () => {
    const built = RouteTable.build(
      [reg('9lives', 'nine'), reg('host', 'h'), reg('items', 'a'), reg('ITEMS', 'b'), reg('ok', 'ok')],
      '',
    );
    assert.deepEqual(
      built.errors.map((problem) => problem.functionName),
      ['9lives', 'host', 'ITEMS'],
    );
    assert.match(built.errors[2]?.message ?? '', /already registered/);
    assert.equal(built.table.match('GET', '/nine'), null);
    assert.equal(built.table.match('GET', '/b'), null);
    assert.equal(built.table.match('GET', '/a')?.functionName, 'items');
    assert.equal(built.table.match('GET', '/ok')?.functionName, 'ok');
  });

  it('rejects routes that start with admin or runtime, in any case', () => {
    const routes = [
      'admin',
      '/Admin/x',
      'administrators/list',
      'RUNTIME',
      'runtimeStats',
      '/runtime/webhooks',
    ];
    const errors = errorsOf(routes.map((route, index) => reg(`f${index}`, route)));
    assert.equal(errors.length, routes.length);
    for (const problem of errors) assert.match(problem.message, /built-in routes/);
    assert.deepEqual(errorsOf([reg('f', 'v4/admin'), reg('g', 'myadmin')]), []);
  });

  it('makes the later of two equal routes with overlapping methods an error', () => {
    const errors = errorsOf([
      reg('zeta', '/Items/', ['GET']),
      reg('alpha', 'items', ['get', 'POST']),
      reg('beta', 'items', ['PUT']),
    ]);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.functionName, 'alpha');
    assert.match(errors[0]?.message ?? '', /already used by function "zeta"/);
  });

  it('treats a missing or empty method list as overlapping every method', () => {
    assert.equal(errorsOf([reg('a', 'x', ['DELETE']), reg('b', 'x')]).length, 1);
    assert.equal(errorsOf([reg('a', 'x', []), reg('b', 'x', ['PATCH'])]).length, 1);
  });

  it('rejects complex segments, empty segments and malformed parameters', () => {
    const bad = [
      '{a}.{b}',
      'file.{ext}',
      'x/{a}-suffix',
      'a//b',
      '{}',
      '{a',
      'a}',
      '{a:int(}',
      '{a:nope}',
      '{a:min}',
      '{a:min(x)}',
      '{a:range(5,1)}',
      '{a:regex([)}',
      '{*rest}/more',
      '{*rest?}',
      '{a?}/b',
      '{a?}/{b}',
      '{a}/{A}',
      '{a=x?}',
      '{a:int=abc}',
      '{a b}',
      'q?x=1',
      '/',
    ];
    const errors = errorsOf(bad.map((route, index) => reg(`f${index}`, route)));
    assert.deepEqual(
      errors.map((problem) => problem.functionName),
      bad.map((_, index) => `f${index}`),
    );
    assert.match(errors[0]?.message ?? '', /complex segments/);
  });

  it('rejects invalid HTTP methods', () => {
    const errors = errorsOf([reg('a', 'x', ['GET', 'BAD METHOD'])]);
    assert.match(errors[0]?.message ?? '', /invalid HTTP method/);
  });

  it('applies the route prefix', () => {
    const routes = table([reg('status', 'v4/status', ['GET'])], '/api/');
    assert.equal(routes.match('GET', '/api/v4/status')?.functionName, 'status');
    assert.equal(routes.match('GET', '/v4/status'), null);
  });

  it('lists routed functions in precedence order', () => {
    const routes = table([reg('b', 'two', ['get']), reg('A', 'one')]);
    assert.deepEqual(routes.entries(), [
      { functionName: 'A', template: 'one', methods: undefined },
      { functionName: 'b', template: 'two', methods: ['GET'] },
    ]);
  });
});

describe('RouteTable matching', () => {
  it('makes the method part of the match: no HEAD for GET, case-insensitive methods', () => {
    const routes = table([reg('status', 'v4/status', ['GET'])]);
    assert.equal(routes.match('get', '/v4/status')?.functionName, 'status');
    assert.equal(routes.match('POST', '/v4/status'), null);
    assert.equal(routes.match('HEAD', '/v4/status'), null);
    assert.equal(routes.matchesAnyMethod('/v4/status'), true);
    assert.equal(routes.matchesAnyMethod('/v4/other'), false);
  });

  it('lets a later route serve a method the first route lacks', () => {
    const routes = table([reg('a-get', 'items/{id}', ['GET']), reg('b-delete', 'items/{key}', ['DELETE'])]);
    assert.deepEqual(routes.match('DELETE', '/items/7'), { functionName: 'b-delete', params: { key: '7' } });
  });

  it('matches literals case-insensitively and ignores a trailing slash', () => {
    const routes = table([reg('kv', 'v4/KeyValues/{namespace}', ['GET'])]);
    assert.deepEqual(routes.match('GET', '/V4/keyvalues/Orders/'), {
      functionName: 'kv',
      params: { namespace: 'Orders' },
    });
    assert.equal(routes.match('GET', '/v4/keyvalues'), null);
    assert.equal(routes.match('GET', '/v4/keyvalues/a/b'), null);
    assert.equal(routes.match('GET', '/v4/keyvalues//'), null);
  });

  it('orders by function name, not by specificity', () => {
    const routes = table([reg('zz-recent', 'items/recent', ['GET']), reg('aa-item', 'items/{id}', ['GET'])]);
    assert.deepEqual(routes.match('GET', '/items/recent'), {
      functionName: 'aa-item',
      params: { id: 'recent' },
    });
  });

  it('keeps precedence between routes that start with literals and routes that start with parameters', () => {
    const routes = table([
      reg('b-literal', 'v4/items/{id}', ['GET']),
      reg('a-param', '{version}/items/{id}', ['GET']),
      reg('c-param', 'v4/{kind}/{id}', ['GET']),
      reg('d-literal', 'v4/things/{id}', ['GET']),
      reg('e-short', 'v4', ['GET']),
    ]);
    // a-param sorts first and can match anything: it wins over the literal route filed under v4/items.
    assert.equal(routes.match('GET', '/v4/items/1')?.functionName, 'a-param');
    // Under v4/things only a-param cannot match (second segment), so c-param wins over d-literal.
    assert.equal(routes.match('GET', '/V4/Things/1')?.functionName, 'c-param');
    assert.deepEqual(routes.match('GET', '/v4/other/2')?.params, { kind: 'other', id: '2' });
    // Paths shorter than two segments see only the routes that can match them.
    assert.equal(routes.match('GET', '/v4')?.functionName, 'e-short');
  });

  it('does not let an encoded slash join two segments into a literal prefix', () => {
    const routes = table([reg('lit', 'a/b/{x}', ['GET']), reg('param', 'a/{p}', ['GET'])]);
    assert.equal(routes.match('GET', '/a/b/1')?.functionName, 'lit');
    assert.deepEqual(routes.match('GET', '/a%2Fb/1'), null);
    assert.deepEqual(routes.match('GET', '/a/b%2F1'), { functionName: 'param', params: { p: 'b/1' } });
  });

  it('gives missing optional parameters as empty string or their default', () => {
    const routes = table([
      reg('opt', 'v4/apps/{id?}', ['GET']),
      reg('def', 'v4/page/{size=25}/{n?}', ['GET']),
    ]);
    assert.deepEqual(routes.match('GET', '/v4/apps')?.params, { id: '' });
    assert.deepEqual(routes.match('GET', '/v4/apps/42')?.params, { id: '42' });
    assert.deepEqual(routes.match('GET', '/v4/page')?.params, { size: '25', n: '' });
    assert.deepEqual(routes.match('GET', '/v4/page/10/3')?.params, { size: '10', n: '3' });
  });

  it('captures catch-all parameters, possibly empty and containing slashes', () => {
    const routes = table([reg('files', 'files/{*path}', ['GET'])]);
    assert.deepEqual(routes.match('GET', '/files')?.params, { path: '' });
    assert.deepEqual(routes.match('GET', '/files/a/b%20c/d.txt')?.params, { path: 'a/b c/d.txt' });
  });

  it('percent-decodes segments before constraints and in params, and refuses malformed escapes', () => {
    const routes = table([reg('named', 'users/{name:alpha}', ['GET']), reg('raw', 'raw/{value}', ['GET'])]);
    assert.deepEqual(routes.match('GET', '/users/%41bc')?.params, { name: 'Abc' });
    assert.deepEqual(routes.match('GET', '/raw/a%2Fb%C3%A4')?.params, { value: 'a/bä' });
    assert.equal(routes.match('GET', '/raw/%E0%A4%A'), null);
    assert.equal(routes.match('GET', '/raw/%zz'), null);
    assert.equal(routes.matchesAnyMethod('/raw/%'), false);
    assert.deepEqual(routes.match('GET', '/%72aw/x')?.params, { value: 'x' });
  });

  it('returns parameter names as written in the template', () => {
    const routes = table([reg('t', 'tasks/{TaskId}/{task-name}', ['GET'])]);
    assert.deepEqual(routes.match('GET', '/tasks/1/n')?.params, { TaskId: '1', 'task-name': 'n' });
  });

  it('ignores a query string if one is passed', () => {
    const routes = table([reg('p', 'p/{x}', ['GET'])]);
    assert.deepEqual(routes.match('GET', '/p/1?x=2')?.params, { x: '1' });
  });
});

describe('route constraints', () => {
  function accepts(template: string, value: string): boolean {
    return (
      table([reg('f', `c/${template}`, ['GET'])]).match('GET', `/c/${encodeURIComponent(value)}`) !== null
    );
  }

  const cases: Array<[string, string[], string[]]> = [
    ['{v:int}', ['0', '-5', '+7', '2147483647', '-2147483648'], ['2147483648', '1.5', 'x', '1e3']],
    ['{v:long}', ['9223372036854775807', '-9223372036854775808'], ['9223372036854775808', '1.0']],
    ['{v:bool}', ['true', 'FALSE', 'True'], ['yes', '1', 'truex']],
    [
      '{v:guid}',
      [
        'd3b07384-d9a0-4c9b-8a1f-0123456789ab',
        'D3B07384D9A04C9B8A1F0123456789AB',
        '{d3b07384-d9a0-4c9b-8a1f-0123456789ab}',
        '(d3b07384-d9a0-4c9b-8a1f-0123456789ab)',
      ],
      ['d3b07384-d9a0-4c9b-8a1f-0123456789a', 'not-a-guid', 'g3b07384-d9a0-4c9b-8a1f-0123456789ab'],
    ],
    ['{v:alpha}', ['abc', 'ABCdef'], ['abc1', 'a-b', 'ä']],
    ['{v:double}', ['1.5', '-2', '1e10', '.5', '1,000.25', 'NaN', 'Infinity'], ['abc', '1.2.3', '1e']],
    ['{v:decimal}', ['1.5', '-2', '1,000', '7-'], ['1e3', 'abc', '-7-', '79228162514264337593543950336']],
    [
      '{v:datetime}',
      ['2024-02-29', '2024-01-31T13:45:00Z', '2024-01-31 13:45', '12/31/2023', '1/2/2024 3:04 PM'],
      ['2023-02-29', '2024-13-01', 'yesterday', '2024-01-01T25:00'],
    ],
    ['{v:min(10)}', ['10', '99999'], ['9', 'abc']],
    ['{v:max(10)}', ['10', '-3'], ['11', 'abc']],
    ['{v:range(1,3)}', ['1', '3'], ['0', '4']],
    ['{v:length(3)}', ['abc'], ['ab', 'abcd']],
    ['{v:length(2,3)}', ['ab', 'abc'], ['a', 'abcd']],
    ['{v:minlength(2)}', ['ab', 'abcdef'], ['a']],
    ['{v:maxlength(2)}', ['a', 'ab'], ['abc']],
    ['{v:int:min(1)}', ['1', '500'], ['0', 'x']],
    ['{v:INT:Range(1,5)}', ['5'], ['6']],
  ];

  for (const [template, good, bad] of cases) {
    it(`${template} accepts ${good.join(' ')} and refuses ${bad.join(' ')}`, () => {
      for (const value of good)
        assert.equal(accepts(template, value), true, `${template} should accept ${value}`);
      for (const value of bad)
        assert.equal(accepts(template, value), false, `${template} should refuse ${value}`);
    });
  }

  it('regex is case-insensitive and not anchored', () => {
    assert.equal(accepts('{v:regex(abc)}', 'xxABCxx'), true);
    assert.equal(accepts('{v:regex(^abc$)}', 'xxabcxx'), false);
    assert.equal(accepts('{v:regex(^abc$)}', 'ABC'), true);
  });

  it('regex may contain parentheses, colons and escaped braces', () => {
    assert.equal(accepts('{v:regex(^(a|b):\\d{{2}}$)}', 'b:42'), true);
    assert.equal(accepts('{v:regex(^(a|b):\\d{{2}}$)}', 'b:4'), false);
    assert.equal(accepts('{v:regex(^[)(]+$):maxlength(3)}', '()('), true);
    assert.equal(accepts('{v:regex(^[)(]+$):maxlength(3)}', '()()'), false);
  });

  it('checks constraints on optional values only when present, and checks defaults at registration', () => {
    const routes = table([reg('o', 'o/{n:int?}', ['GET'])]);
    assert.deepEqual(routes.match('GET', '/o')?.params, { n: '' });
    assert.equal(routes.match('GET', '/o/x'), null);
    assert.match(errorsOf([reg('d', 'd/{n:int=abc}')])[0]?.message ?? '', /does not satisfy/);
  });
});

describe('overlap warnings', () => {
  function warnings(regs: RouteRegistration[]): string[] {
    const built = RouteTable.build(regs, '');
    assert.deepEqual(built.errors, []);
    return built.warnings;
  }

  it('warns when a parameter can swallow a literal route, naming both functions and the winner', () => {
    const [warning, ...rest] = warnings([
      reg('zz-recent', 'items/recent', ['GET']),
      reg('aa-item', 'items/{id}'),
    ]);
    assert.equal(rest.length, 0);
    assert.match(warning ?? '', /"aa-item".*"zz-recent".*"aa-item" wins/);
  });

  it('does not warn when constraints, literals, methods or lengths keep routes apart', () => {
    assert.deepEqual(
      warnings([
        reg('a', 'items/{id:guid}', ['GET']),
        reg('b', 'items/recent', ['GET']),
        reg('c', 'items/{n:int}/detail', ['GET']),
        reg('d', 'items/{name:alpha}/detail', ['GET']),
        reg('e', 'items/{id}', ['DELETE']),
        reg('f', 'orders/{id}', ['GET']),
        reg('g', 'orders/{id}/lines/{line}', ['GET']),
        reg('h', 'flags/{b:bool}', ['GET']),
        reg('i', 'flags/{g:guid}', ['GET']),
      ]),
      [],
    );
  });

  it('warns for optional parameters, catch-alls and unconstrained parameters that overlap', () => {
    assert.equal(warnings([reg('a', 'apps/{id?}', ['GET']), reg('b', 'apps', ['GET'])]).length, 1);
    assert.equal(warnings([reg('a', 'files/{*rest}', ['GET']), reg('b', 'files/x/y/z', ['GET'])]).length, 1);
    assert.equal(warnings([reg('a', 'x/{p}', ['GET']), reg('b', 'x/{q:int}', ['GET'])]).length, 1);
    assert.equal(warnings([reg('a', 'x/{p:regex(^a)}', ['GET']), reg('b', 'x/b', ['GET'])]).length, 0);
  });
});
