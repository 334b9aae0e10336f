import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FilterSyntaxError, compileFilter, parseFilter, tokenize } from './filter';

const task = {
  id: 'b4bd04b6-0cfb-4a9a-993e-d35ca8ce70b6',
  name: 'Reload Sales',
  taskType: 0,
  enabled: true,
  maxRetries: 2,
  tags: [
    { id: '1', name: "R&D #1 'x'" },
    { id: '2', name: 'Größe ✓ 東京' },
  ],
  customProperties: [
    { value: "ops & dev #2 'a'", definition: { name: 'Butler_Team' } },
    { value: 'sales@example.com', definition: { name: 'Butler_Email' } },
  ],
  operational: {
    lastExecutionResult: { status: 8, stopTime: '2024-06-01T02:05:12.500Z' },
    nextExecution: null,
  },
};

const matches = (filter: string, row: unknown = task): boolean => compileFilter(filter)(row);

describe('filter tokenizer and parser', () => {
  test('a doubled quote inside a literal is one quote, and & # survive untouched', () => {
    const tokens = tokenize("tags.name eq 'R&D #1 ''x'''");
    assert.deepEqual(
      tokens.map((t) => ('value' in t ? t.value : t.kind)),
      ['tags.name', 'eq', "R&D #1 'x'"],
    );
  });

  test('GUIDs, numbers and keywords become typed literals', () => {
    assert.deepEqual(parseFilter('id eq B4BD04B6-0CFB-4A9A-993E-D35CA8CE70B6'), {
      kind: 'condition',
      path: ['id'],
      op: 'eq',
      literal: { kind: 'guid', value: 'b4bd04b6-0cfb-4a9a-993e-d35ca8ce70b6' },
    });
    assert.deepEqual(
      parseFilter('maxRetries ge -2.5').kind === 'condition' && parseFilter('maxRetries ge -2.5'),
      {
        kind: 'condition',
        path: ['maxRetries'],
        op: 'ge',
        literal: { kind: 'number', value: -2.5 },
      },
    );
    const literalOf = (text: string) => {
      const node = parseFilter(text);
      return node.kind === 'condition' ? node.literal : undefined;
    };
    assert.deepEqual(literalOf('enabled eq TRUE'), { kind: 'boolean', value: true });
    assert.deepEqual(literalOf('stream eq null'), { kind: 'null' });
    assert.deepEqual(literalOf('status eq FinishedFail'), { kind: 'name', value: 'FinishedFail' });
  });

  test('and binds tighter than or; parentheses override', () => {
    const node = parseFilter('a eq 1 or b eq 2 and c eq 3');
    assert.equal(node.kind, 'or');
    assert.equal(node.kind === 'or' && node.right.kind, 'and');
    const grouped = parseFilter('(a eq 1 or b eq 2) and c eq 3');
    assert.equal(grouped.kind, 'and');
    assert.equal(grouped.kind === 'and' && grouped.left.kind, 'or');
  });

  const badFilters = [
    "name eq 'unterminated",
    'name eq',
    'name',
    'name equals 1',
    '(name eq 1',
    'name eq 1)',
    'name eq 1 and',
    'and eq 1',
    'name eq 1 name eq 2',
    'name eq @',
    'eq eq eq',
    "name eq 'a' or or name eq 'b'",
  ];
  test('deep nesting is a syntax error, not a stack overflow', () => {
    assert.throws(() => parseFilter(`${'('.repeat(100_000)}a eq 1${')'.repeat(100_000)}`), FilterSyntaxError);
    assert.doesNotThrow(() => parseFilter(`${'('.repeat(10)}a eq 1${')'.repeat(10)}`));
  });

  for (const bad of badFilters) {
    test(`rejects ${JSON.stringify(bad)} with FilterSyntaxError`, () => {
      assert.throws(() => parseFilter(bad), FilterSyntaxError);
    });
  }
});

describe('filter evaluation', () => {
  test('strings compare case-insensitively, property names too', () => {
    assert.equal(matches("NAME eq 'reload sales'"), true);
    assert.equal(matches("name ne 'Reload Sales'"), false);
    assert.equal(matches("name eq 'Reload'"), false);
  });

  test('GUID literals match regardless of case', () => {
    assert.equal(matches('id eq B4BD04B6-0CFB-4A9A-993E-D35CA8CE70B6'), true);
    assert.equal(matches('id eq 00000000-0000-0000-0000-000000000000'), false);
  });

  test("special characters and non-ASCII text match exactly after '' undoubling", () => {
    assert.equal(matches("tags.name eq 'R&D #1 ''x'''"), true);
    assert.equal(matches("tags.name eq 'R&D #1 ''y'''"), false);
    assert.equal(matches("tags.name eq 'größe ✓ 東京'"), true);
    assert.equal(matches("customProperties.value eq 'OPS & DEV #2 ''A'''"), true);
  });

  test('a path into an array is true if any element matches, each condition on its own', () => {
    assert.equal(
      matches(
        "(customProperties.definition.name eq 'Butler_Team') and (customProperties.value eq 'sales@example.com')",
      ),
      true,
    );
    assert.equal(matches("customProperties.definition.name eq 'Nope'"), false);
    assert.equal(matches("tags.name ne 'R&D #1 ''x'''"), true, 'the other tag differs');
    assert.equal(matches("tags.name eq 'x'", { ...task, tags: [] }), false);
  });

  test('sw, ew and so are starts-with, ends-with and substring-of', () => {
    assert.equal(matches("name sw 'reload'"), true);
    assert.equal(matches("name ew 'SALES'"), true);
    assert.equal(matches("name so 'oad sa'"), true);
    assert.equal(matches("name sw 'sales'"), false);
  });

  test('numbers, booleans, null and ordering operators', () => {
    assert.equal(matches('taskType eq 0 and enabled eq true'), true);
    assert.equal(
      matches('maxRetries gt 1 and maxRetries lt 3 and maxRetries ge 2 and maxRetries le 2'),
      true,
    );
    assert.equal(matches('enabled eq false'), false);
    assert.equal(matches('operational.nextExecution eq null'), true);
    assert.equal(matches('operational.nextExecution ne null'), false);
    assert.equal(matches('missingProperty eq null'), true);
  });

  test('enum names compare with the stored numbers', () => {
    assert.equal(matches('operational.lastExecutionResult.status eq FinishedFail'), true);
    assert.equal(matches('operational.lastExecutionResult.status eq finishedsuccess'), false);
    assert.equal(matches('taskType eq Reload'), true);
    assert.equal(matches('operational.lastExecutionResult.status eq UnknownName'), false);
  });

  test('ISO datetimes compare as instants', () => {
    assert.equal(matches("operational.lastExecutionResult.stopTime gt '2024-06-01T02:05:12Z'"), true);
    assert.equal(
      matches("operational.lastExecutionResult.stopTime lt '2024-06-01T04:05:12.000+01:00'"),
      true,
    );
    assert.equal(matches("operational.lastExecutionResult.stopTime ge '2024-06-02'"), false);
  });

  test('or/and precedence decides the outcome', () => {
    // true or (false and false) → true; (true or false) and false → false
    assert.equal(matches("name eq 'Reload Sales' or taskType eq 1 and enabled eq false"), true);
    assert.equal(matches("(name eq 'Reload Sales' or taskType eq 1) and enabled eq false"), false);
  });

  test('an empty filter matches everything', () => {
    assert.equal(matches(''), true);
    assert.equal(matches('   '), true);
  });
});
