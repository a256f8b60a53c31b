import { seriesOf } from './engagement-report';
import { seriesCsv, seriesCsvFilename } from './report-csv';

const WINDOW = {
  from: '2026-12-07T10:00:00.000Z',
  to: '2026-12-07T10:02:00.000Z',
  granularity: 'minute',
} as const;

describe('seriesCsv', () => {
  it('writes a header row, then one CRLF-ended row per bucket', () => {
    const series = seriesOf(WINDOW, [
      { group: '2026-12-07T10:01:00.000Z', kind: 'sent', machine: false, total: 3, unique: 3 },
      { group: '2026-12-07T10:01:00.000Z', kind: 'opened', machine: false, total: 4, unique: 2 },
      { group: '2026-12-07T10:01:00.000Z', kind: 'opened', machine: true, total: 1, unique: 1 },
    ]);
    expect(seriesCsv(series).split('\r\n')).toEqual([
      'start,sent,delivered,bounced,failed,excluded,opened_total,opened_unique,opened_human,opened_machine,clicked_total,clicked_unique,clicked_human,clicked_machine,unsubscribed',
      '2026-12-07T10:00:00.000Z,0,0,0,0,0,0,0,0,0,0,0,0,0,0',
      '2026-12-07T10:01:00.000Z,3,0,0,0,0,5,2,4,1,0,0,0,0,0',
      '',
    ]);
  });
});

describe('seriesCsvFilename', () => {
  it('names the subject, its id and the window, and replaces unsafe characters of the id', () => {
    expect(seriesCsvFilename('campaign', 'spring "sale"/2026', WINDOW)).toBe(
      'campaign-spring__sale__2026-20261207T1000Z-20261207T1002Z-minute.csv',
    );
  });
});
