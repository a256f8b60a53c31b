import { ValidationError } from '@herald/errors';
import {
  bucketCount,
  bucketStarts,
  defaultGranularity,
  MAX_BUCKETS,
  parseIsoDate,
  parseReportQuery,
  type Granularity,
} from './report-window';

const NOW = new Date('2026-12-07T10:30:15.250Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The error `parseReportQuery` throws for `query`, or a failure when it throws none. */
function refusal(query: Record<string, unknown>): ValidationError {
  try {
    parseReportQuery(query, NOW);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(query)}`);
}

describe('parseIsoDate', () => {
  it.each([
    ['2026-12-07', '2026-12-07T00:00:00.000Z'],
    ['2026-12-07T10:00Z', '2026-12-07T10:00:00.000Z'],
    ['2026-12-07T10:00:05.123Z', '2026-12-07T10:00:05.123Z'],
    ['2026-12-07T10:00:00+01:00', '2026-12-07T09:00:00.000Z'],
    ['2026-12-07T10:00:00-0230', '2026-12-07T12:30:00.000Z'],
    // An unencoded `+` in a query string arrives as a space.
    ['2026-12-07T10:00:00 01:00', '2026-12-07T09:00:00.000Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(new Date(parseIsoDate(text) ?? NaN).toISOString()).toBe(iso);
  });

  it.each([
    'yesterday',
    'Dec 7 2026',
    '2026-12-07T10:00:00',
    '2026-02-30',
    '2026-12-07T24:00Z',
    '2026-13-01',
    '2026-12-07T10:00+25:00',
    '1733567400',
    '',
  ])('refuses %p', (text) => {
    expect(parseIsoDate(text)).toBeNull();
  });
});

describe('defaultGranularity', () => {
  const to = Date.parse('2026-12-07T00:00:00Z');
  it.each<[number, Granularity]>([
    [HOUR, 'minute'],
    [DAY, 'minute'],
    [DAY + 1, 'hour'],
    [60 * DAY, 'hour'],
    [91 * DAY, 'day'],
    [400 * DAY, 'day'],
  ])('picks, for a span of %p ms, %s buckets', (span, granularity) => {
    expect(defaultGranularity(to - span, to)).toBe(granularity);
  });

  it('picks days rather than more than 1,500 hours for a span of up to 90 days', () => {
    expect(bucketCount(to - 80 * DAY, to, 'hour')).toBeGreaterThan(MAX_BUCKETS);
    expect(defaultGranularity(to - 80 * DAY, to)).toBe('day');
  });
});

describe('parseReportQuery', () => {
  it('defaults to the last 24 hours in minutes, widened to whole minutes', () => {
    const { window, format } = parseReportQuery({}, NOW);
    expect(window).toEqual({
      from: '2026-12-06T10:30:00.000Z',
      to: '2026-12-07T10:31:00.000Z',
      granularity: 'minute',
    });
    expect(format).toBeUndefined();
    expect(bucketStarts(window)).toHaveLength(1441);
  });

  it('defaults `from` to 24 hours before `to`, and `to` to now', () => {
    expect(parseReportQuery({ to: '2026-12-01T00:00:00Z' }, NOW).window).toMatchObject({
      from: '2026-11-30T00:00:00.000Z',
      to: '2026-12-01T00:00:00.000Z',
    });
    expect(parseReportQuery({ from: '2026-12-07T09:00:00Z' }, NOW).window).toMatchObject({
      from: '2026-12-07T09:00:00.000Z',
      to: '2026-12-07T10:31:00.000Z',
    });
  });

  it('aligns day buckets to UTC midnight, and hour buckets to the hour', () => {
    const days = parseReportQuery({ from: '2026-09-01T13:00:00+02:00', to: '2026-12-07T10:00Z' }, NOW);
    expect(days.window).toEqual({
      from: '2026-09-01T00:00:00.000Z',
      to: '2026-12-08T00:00:00.000Z',
      granularity: 'day',
    });
    const hours = parseReportQuery({ from: '2026-12-01T00:10Z', to: '2026-12-03T05:59Z' }, NOW);
    expect(hours.window).toEqual({
      from: '2026-12-01T00:00:00.000Z',
      to: '2026-12-03T06:00:00.000Z',
      granularity: 'hour',
    });
    expect(bucketStarts(hours.window).slice(0, 2)).toEqual([
      '2026-12-01T00:00:00.000Z',
      '2026-12-01T01:00:00.000Z',
    ]);
  });

  it('keeps the granularity and format asked for', () => {
    const request = parseReportQuery(
      { from: '2026-12-01', to: '2026-12-07', granularity: 'day', format: 'csv' },
      NOW,
    );
    expect(request).toEqual({
      window: { from: '2026-12-01T00:00:00.000Z', to: '2026-12-07T00:00:00.000Z', granularity: 'day' },
      format: 'csv',
    });
    expect(bucketStarts(request.window)).toHaveLength(6);
  });

  it('refuses a date that is not ISO 8601, naming each field at fault', () => {
    const error = refusal({ from: 'last week', to: '2026-02-30' });
    expect(error.code).toBe('invalid-report-date');
    expect(error.errors.map((field) => field.path)).toEqual(['/from', '/to']);
  });

  it('refuses `from` at or after `to`', () => {
    for (const query of [
      { from: '2026-12-07T10:00Z', to: '2026-12-07T10:00Z' },
      { from: '2026-12-08', to: '2026-12-07' },
      { from: '2026-12-08' },
    ]) {
      const error = refusal(query);
      expect({ code: error.code, paths: error.errors.map((field) => field.path) }).toEqual({
        code: 'invalid-report-window',
        paths: ['/from'],
      });
    }
  });

  it('refuses more than 1,500 buckets of the granularity asked for, and accepts 1,500', () => {
    const error = refusal({ from: '2026-12-01T00:00Z', to: '2026-12-02T01:01Z', granularity: 'minute' });
    expect(error.code).toBe('too-many-buckets');
    expect(error.errors.map((field) => field.path)).toEqual(['/granularity']);
    const limit = parseReportQuery({
      from: '2026-12-01T00:00Z',
      to: '2026-12-02T01:00Z',
      granularity: 'minute',
    });
    expect(bucketStarts(limit.window)).toHaveLength(MAX_BUCKETS);
  });

  it('refuses more than 1,500 days, naming `from` when no granularity was asked for', () => {
    const error = refusal({ from: '2020-01-01', to: '2026-12-07' });
    expect(error.code).toBe('too-many-buckets');
    expect(error.errors.map((field) => field.path)).toEqual(['/from']);
  });

  it('refuses an unknown granularity, format or parameter, and a repeated date', () => {
    for (const query of [
      { granularity: 'week' },
      { format: 'xml' },
      { since: '2026-12-01' },
      { from: ['2026-12-01', '2026-12-02'] },
    ]) {
      expect(refusal(query).code).toBe('invalid-query');
    }
  });
});
