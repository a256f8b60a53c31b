import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { EngagementEvent } from '@herald/store';
import { orderShippedCampaign } from '@herald/testing';
import { startApiHarness, type ApiHarness } from './api-harness.fixture';

const FROM = '2026-12-01T10:00:00Z';
const TO = '2026-12-01T10:05:00Z';
const WINDOW = `from=${FROM}&to=${TO}`;
const at = (minute: number, second: number) =>
  `2026-12-01T10:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}.000Z`;

describe('reports over time, from the engagement events', () => {
  let h: ApiHarness;
  let campaignId: string;
  let executionId: string;
  let otherExecutionId: string;
  const executeKey = 'over-time-execute-0123456789abcdef';

  const newExecution = async (): Promise<string> => {
    const id = randomUUID();
    await h.store.executions.create({
      id,
      sandbox: 'prod',
      kind: 'unitary',
      campaignId,
      campaignVersion: 1,
      requestId: `request-${id}`,
      recipientCount: 6,
    });
    await h.store.executions.setStatus('prod', id, 'queued');
    return id;
  };

  /** One event of delivery `d<n>` of `execution`, keyed once per delivery and kind unless `key` says otherwise. */
  const event = (
    execution: string,
    delivery: number,
    kind: EngagementEvent['kind'],
    when: string,
    extra: Partial<EngagementEvent> = {},
  ): EngagementEvent => {
    const deliveryId = `${execution}-r${delivery}`;
    return {
      key: `${deliveryId}:${kind}`,
      sandbox: 'prod',
      campaignId,
      executionId: execution,
      deliveryId,
      channel: 'email',
      kind,
      at: when,
      domain: delivery % 2 === 0 ? 'example.com' : 'example.org',
      locale: delivery < 2 ? 'en-US' : 'fr-FR',
      ...extra,
    };
  };

  beforeAll(async () => {
    h = await startApiHarness('reports-over-time');
    await h.addApiKey(executeKey, { name: 'execute', roles: ['execute'], sandboxes: ['prod'] });
    ({ id: campaignId } = await h.store.campaigns.create({
      sandbox: 'prod',
      definition: orderShippedCampaign(),
    }));
    executionId = await newExecution();
    otherExecutionId = await newExecution();
    const e = executionId;
    const hit = (delivery: number, kind: 'opened' | 'clicked', when: string, extra = {}) =>
      event(e, delivery, kind, when, { key: `hit-${randomUUID()}`, ...extra });
    const events = [
      ...[0, 1, 2, 3].map((d) => event(e, d, 'sent', at(0, 10))),
      ...[0, 1, 2].map((d) => event(e, d, 'delivered', at(0, 30))),
      event(e, 3, 'bounced', at(1, 0), { reason: 'mailbox-full' }),
      event(e, 4, 'excluded', at(0, 5), { reason: 'no-consent' }),
      event(e, 5, 'failed', at(0, 50), { reason: 'provider-rejected' }),
      // d0: a privacy proxy's prefetch, then two human opens in two minutes; d1: one open.
      hit(0, 'opened', at(0, 40), { machine: true }),
      hit(0, 'opened', at(1, 5)),
      hit(0, 'opened', at(2, 5)),
      hit(1, 'opened', at(1, 20)),
      // d0 clicks the hero link twice, d1 the second link once.
      hit(0, 'clicked', at(1, 10), { linkId: '0', label: 'hero' }),
      hit(0, 'clicked', at(2, 10), { linkId: '0', label: 'hero' }),
      hit(1, 'clicked', at(1, 30), { linkId: '1' }),
      event(e, 1, 'unsubscribed', at(3, 0)),
      // Outside the window.
      event(e, 2, 'opened', '2026-12-01T10:05:00.000Z', { key: 'late-open' }),
      // The campaign's other execution.
      event(otherExecutionId, 0, 'sent', at(4, 0)),
    ];
    expect(await h.store.engagement.recordMany(events)).toBe(events.length);
    // Recorded again, as a retried batch would be: nothing is counted twice.
    expect(await h.store.engagement.recordMany(events.slice(0, 4))).toBe(0);
  });
  afterAll(async () => h.close());

  const executionReport = async (query = WINDOW) =>
    (await h.api.get(`/executions/${executionId}/report?${query}`).expect(200)).body;

  it('answers the execution report with a series of every minute of the window, zeros included', async () => {
    const report = await executionReport();
    expect(report).toMatchObject({
      executionId,
      campaignId,
      kind: 'unitary',
      recipients: 6,
      from: '2026-12-01T10:00:00.000Z',
      to: '2026-12-01T10:05:00.000Z',
      granularity: 'minute',
    });
    expect(report.counts).toBeDefined();
    expect(report.series.map((point: { start: string }) => point.start)).toEqual(
      [0, 1, 2, 3, 4].map((minute) => at(minute, 0)),
    );
    expect(report.series[0]).toEqual({
      start: at(0, 0),
      sent: 4,
      delivered: 3,
      bounced: 0,
      failed: 1,
      excluded: 1,
      opened: { total: 1, unique: 0, human: 0, machine: 1 },
      clicked: { total: 0, unique: 0, human: 0, machine: 0 },
      unsubscribed: 0,
    });
    expect(report.series[1]).toMatchObject({
      bounced: 1,
      opened: { total: 2, unique: 2, human: 2, machine: 0 },
      clicked: { total: 2, unique: 2, human: 2, machine: 0 },
    });
    expect(report.series[2]).toMatchObject({
      opened: { total: 1, unique: 1 },
      clicked: { total: 1, unique: 1 },
    });
    expect(report.series[3]).toMatchObject({ unsubscribed: 1, sent: 0 });
    // The other execution's send is not this execution's.
    expect(report.series[4]).toMatchObject({ sent: 0 });
  });

  it('counts unique opens and clicks over the window once per delivery, not as sums of buckets', async () => {
    const report = await executionReport();
    const bucketUniqueOpens = report.series.reduce(
      (sum: number, point: { opened: { unique: number } }) => sum + point.opened.unique,
      0,
    );
    expect(bucketUniqueOpens).toBe(3);
    expect(report.totals).toEqual({
      sent: 4,
      delivered: 3,
      bounced: 1,
      failed: 1,
      excluded: 1,
      opened: { total: 4, unique: 2, human: 3, machine: 1 },
      clicked: { total: 3, unique: 2, human: 3, machine: 0 },
      unsubscribed: 1,
    });
    expect(report.rates).toEqual({
      delivery: 0.75,
      open: 0.6667,
      clickThrough: 0.6667,
      bounce: 0.25,
      basis: 'delivered',
    });
  });

  it('breaks clicks down by link, and deliveries by domain, locale and reason', async () => {
    const { breakdowns } = await executionReport();
    expect(breakdowns.links).toEqual([
      { linkId: '0', label: 'hero', total: 2, unique: 1, human: 2, machine: 0 },
      { linkId: '1', label: null, total: 1, unique: 1, human: 1, machine: 0 },
    ]);
    expect(breakdowns.domains).toEqual([
      { domain: 'example.com', sent: 2, delivered: 2, bounced: 0, opened: 1, clicked: 1 },
      { domain: 'example.org', sent: 2, delivered: 1, bounced: 1, opened: 1, clicked: 1 },
    ]);
    expect(breakdowns.locales).toEqual([
      { locale: 'en-US', sent: 2, delivered: 2, bounced: 0, opened: 2, clicked: 2 },
      { locale: 'fr-FR', sent: 2, delivered: 1, bounced: 1, opened: 0, clicked: 0 },
    ]);
    expect(breakdowns.exclusions).toEqual([{ reason: 'no-consent', count: 1 }]);
    expect(breakdowns.failures).toEqual([{ reason: 'provider-rejected', count: 1 }]);
    expect(breakdowns.bounces).toEqual([{ reason: 'mailbox-full', count: 1 }]);
  });

  it('sums hours when asked for hour buckets', async () => {
    const report = await executionReport('from=2026-12-01&to=2026-12-02&granularity=hour');
    expect(report.series).toHaveLength(24);
    expect(report.series[10]).toMatchObject({ start: '2026-12-01T10:00:00.000Z', sent: 4 });
    // The open at 10:05 is in this hour.
    expect(report.series[10].opened).toEqual({ total: 5, unique: 3, human: 4, machine: 1 });
  });

  it("keeps the campaign report's all-time counts and adds the window of all its executions", async () => {
    const report = (await h.api.get(`/campaigns/${campaignId}/report?${WINDOW}`).expect(200)).body;
    expect(report).toMatchObject({
      campaignId,
      status: 'draft',
      liveVersion: null,
      countsSource: 'none',
      counts: { sent: 0, failed: 0, excluded: 0 },
      granularity: 'minute',
    });
    expect(report.totals.sent).toBe(5);
    expect(report.series[4]).toMatchObject({ sent: 1 });
    expect(report.breakdowns.links).toHaveLength(2);
  });

  it('defaults to the last 24 hours in minute buckets', async () => {
    const minuteAgo = new Date(Date.now() - 60_000);
    await h.store.engagement.recordMany([
      event(executionId, 0, 'sent', minuteAgo.toISOString(), { key: 'recent' }),
    ]);
    const report = await executionReport('');
    expect(report.granularity).toBe('minute');
    expect(report.series).toHaveLength(1441);
    const bucket = new Date(Math.floor(minuteAgo.getTime() / 60_000) * 60_000).toISOString();
    const point = report.series.find((candidate: { start: string }) => candidate.start === bucket);
    expect(point).toMatchObject({ sent: 1 });
    expect(report.totals.sent).toBe(1);
  });

  it('answers the series as a CSV download for Accept: text/csv or ?format=csv', async () => {
    for (const call of [
      () => h.api.get(`/executions/${executionId}/report?${WINDOW}`).set('accept', 'text/csv'),
      () => h.api.get(`/campaigns/${campaignId}/report?${WINDOW}&format=csv`),
    ]) {
      const res = await call().expect(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toMatch(
        /^attachment; filename="?(execution|campaign)-[\w-]+-20261201T1000Z-20261201T1005Z-minute\.csv"?$/,
      );
      const lines = res.text.split('\r\n');
      expect(lines).toHaveLength(7);
      expect(lines[0]).toMatch(/^start,sent,delivered,bounced,failed,excluded,opened_total,/);
      expect(lines[2]).toMatch(/^2026-12-01T10:01:00.000Z,/);
      expect(lines[6]).toBe('');
    }
    const json = await h.api
      .get(`/executions/${executionId}/report?${WINDOW}&format=json`)
      .set('accept', 'text/csv')
      .expect(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
  });

  it('refuses a bad date, from not before to, too many buckets and an unknown parameter, naming the field', async () => {
    const cases: Array<[string, string, string]> = [
      ['from=yesterday', 'invalid-report-date', '/from'],
      [`from=${FROM}&to=2026-02-30`, 'invalid-report-date', '/to'],
      [`from=${TO}&to=${FROM}`, 'invalid-report-window', '/from'],
      ['from=2026-11-01&to=2026-12-01&granularity=minute', 'too-many-buckets', '/granularity'],
      ['granularity=week', 'invalid-query', '/granularity'],
      ['since=2026-11-01', 'invalid-query', '/since'],
    ];
    for (const path of [`/executions/${executionId}/report`, `/campaigns/${campaignId}/report`]) {
      for (const [query, code, field] of cases) {
        const res = await h.api.get(`${path}?${query}`).set('accept', 'text/csv').expect(400);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect({
          query,
          code: res.body.code,
          paths: res.body.errors.map((e: { path: string }) => e.path),
        }).toEqual({ query, code, paths: [field] });
      }
    }
  });

  it('answers 404 for an unknown execution or campaign, and lets execute keys read execution reports only', async () => {
    expect((await h.api.get('/executions/missing/report').expect(404)).body.code).toBe('execution-not-found');
    expect((await h.api.get('/campaigns/missing/report').expect(404)).body.code).toBe('campaign-not-found');
    const asExecute = (path: string) => request(h.runtime.app).get(path).set('x-api-key', executeKey);
    await asExecute(`/executions/${executionId}/report?${WINDOW}`).expect(200);
    await asExecute(`/campaigns/${campaignId}/report?${WINDOW}`).expect(403);
  });
});
