import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTimerSchedule } from '../../runtime/ncrontab';

/** the next `count` occurrences after `from`, as ISO strings */
function occurrences(expression: string, from: string, count = 3): string[] {
  const schedule = parseTimerSchedule(expression);
  const result: string[] = [];
  let cursor: Date | null = new Date(from);
  for (let i = 0; i < count && cursor; i++) {
    cursor = schedule.next(cursor);
    if (cursor) result.push(cursor.toISOString());
  }
  return result;
}

describe('NCRONTAB schedules', () => {
  it('combines day-of-month and day-of-week with AND: Friday the 13th', () => {
    assert.deepEqual(occurrences('0 0 0 13 * 5', '2024-01-01T00:00:00Z'), [
      '2024-09-13T00:00:00.000Z',
      '2024-12-13T00:00:00.000Z',
      '2025-06-13T00:00:00.000Z',
    ]);
  });

  it('returns the first occurrence strictly after the given time', () => {
    assert.deepEqual(occurrences('0 */5 * * * *', '2024-01-01T00:05:00.000Z', 2), [
      '2024-01-01T00:10:00.000Z',
      '2024-01-01T00:15:00.000Z',
    ]);
    assert.deepEqual(occurrences('0 */5 * * * *', '2024-01-01T00:04:59.999Z', 1), [
      '2024-01-01T00:05:00.000Z',
    ]);
    assert.deepEqual(occurrences('* * * * * *', '2024-01-01T00:00:00.250Z', 2), [
      '2024-01-01T00:00:01.000Z',
      '2024-01-01T00:00:02.000Z',
    ]);
  });

  it('supports lists, ranges and stepped ranges', () => {
    assert.deepEqual(occurrences('0 0 8-10/2,17 * * *', '2024-01-01T00:00:00Z', 4), [
      '2024-01-01T08:00:00.000Z',
      '2024-01-01T10:00:00.000Z',
      '2024-01-01T17:00:00.000Z',
      '2024-01-02T08:00:00.000Z',
    ]);
  });

  it('runs a single value with a step up to the field maximum (NCrontab "5/20")', () => {
    assert.deepEqual(occurrences('5/20 * * * * *', '2024-01-01T00:00:00Z', 4), [
      '2024-01-01T00:00:05.000Z',
      '2024-01-01T00:00:25.000Z',
      '2024-01-01T00:00:45.000Z',
      '2024-01-01T00:01:05.000Z',
    ]);
  });

  it('accepts month and day names in any case', () => {
    assert.deepEqual(occurrences('0 30 9 * jul-AUG/1 Mon,wed', '2024-07-29T12:00:00Z', 3), [
      '2024-07-31T09:30:00.000Z',
      '2024-08-05T09:30:00.000Z',
      '2024-08-07T09:30:00.000Z',
    ]);
    assert.deepEqual(occurrences('0 0 0 1 DEC SUN', '2024-01-01T00:00:00Z', 1), ['2024-12-01T00:00:00.000Z']);
  });

  it('crosses month, year and leap-day boundaries', () => {
    assert.deepEqual(occurrences('0 0 0 29 2 *', '2023-03-01T00:00:00Z', 2), [
      '2024-02-29T00:00:00.000Z',
      '2028-02-29T00:00:00.000Z',
    ]);
    assert.deepEqual(occurrences('59 59 23 31 12 *', '2024-12-31T23:59:59Z', 1), [
      '2025-12-31T23:59:59.000Z',
    ]);
    assert.deepEqual(occurrences('0 0 0 31 * *', '2024-04-01T00:00:00Z', 2), [
      '2024-05-31T00:00:00.000Z',
      '2024-07-31T00:00:00.000Z',
    ]);
  });

  it('uses Sunday = 0', () => {
    assert.deepEqual(occurrences('0 0 12 * * 0', '2024-06-03T00:00:00Z', 1), ['2024-06-09T12:00:00.000Z']);
  });

  it('reports whether it fires more than once a minute', () => {
    assert.equal(parseTimerSchedule('*/10 * * * * *').firesMoreThanOncePerMinute, true);
    assert.equal(parseTimerSchedule('0 * * * * *').firesMoreThanOncePerMinute, false);
    assert.equal(parseTimerSchedule('0 */5 * * * *').adjustForDST, true);
    assert.equal(parseTimerSchedule(' 0 0 * * * * ').text, '0 0 * * * *');
  });

  const invalid: Array<[string, RegExp]> = [
    ['', /empty/],
    ['*/5 * * * *', /5 field\(s\).*exactly 6/],
    ['0 0 0 * * * 2024', /7 field\(s\)/],
    ['0 0 0 L * *', /"L".*does not support/],
    ['0 0 0 15W * *', /"15W"/],
    ['0 0 0 LW * *', /"LW"/],
    ['0 0 0 * * 5L', /"5L"/],
    ['0 0 0 * * 5#3', /"#"/],
    ['0 0 0 ? * 1', /"\?"/],
    ['0 0 0 * * 7', /day of week value 7 is out of range 0-6/],
    ['60 * * * * *', /second value 60 is out of range/],
    ['0 60 * * * *', /minute value 60/],
    ['0 0 24 * * *', /hour value 24/],
    ['0 0 0 0 * *', /day of month value 0/],
    ['0 0 0 32 * *', /day of month value 32/],
    ['0 0 0 * 0 *', /month value 0/],
    ['0 0 0 * 13 *', /month value 13/],
    ['0 0 0 * FOO *', /invalid month value "FOO"/],
    ['*/0 * * * * *', /invalid step "0"/],
    ['10-5 * * * * *', /runs backwards/],
    ['1,,2 * * * * *', /invalid second element/],
    ['a b c d e f', /invalid second value "a"/],
    ['0 0 0 31 2 *', /never fires/],
    ['00:00:00', /zero interval/],
    ['25:00:00', /not a valid TimeSpan/],
  ];
  for (const [expression, message] of invalid) {
    it(`rejects "${expression}"`, () => {
      assert.throws(() => parseTimerSchedule(expression), message);
    });
  }
});

describe('TimeSpan schedules', () => {
  it('fires every interval after the given time (the host does not align to the clock)', () => {
    assert.deepEqual(occurrences('00:05:00', '2024-01-01T00:01:07.500Z', 2), [
      '2024-01-01T00:06:07.500Z',
      '2024-01-01T00:11:07.500Z',
    ]);
    assert.deepEqual(occurrences('1.02:00:00', '2024-01-01T00:00:00Z', 1), ['2024-01-02T02:00:00.000Z']);
    assert.deepEqual(occurrences('00:00:01.5', '2024-01-01T00:00:00Z', 1), ['2024-01-01T00:00:01.500Z']);
    assert.deepEqual(occurrences('01:30', '2024-01-01T00:00:00Z', 1), ['2024-01-01T01:30:00.000Z']);
  });

  it('reports short intervals as firing more than once a minute', () => {
    assert.equal(parseTimerSchedule('00:00:30').firesMoreThanOncePerMinute, true);
    assert.equal(parseTimerSchedule('00:01:00').firesMoreThanOncePerMinute, false);
    assert.equal(parseTimerSchedule('00:01:00').adjustForDST, false);
  });
});
