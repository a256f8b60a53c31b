import { instrumentEmailHtml, LINK_LIFETIME_SECONDS, TrackingTokens, trackerUrl } from '@herald/tracking';
import { BROWSER, startTrackerHarness, type TrackerHarness } from './tracker-harness.fixture';

const SALE_URL = 'https://shop.example.com/sale?utm_source=herald&size=m#top';

describe('tracker: opens and clicks', () => {
  let h: TrackerHarness;
  beforeAll(async () => (h = await startTrackerHarness('opens-clicks')));
  afterAll(() => h.stop());

  const get = (url: string, init: RequestInit = {}) =>
    fetch(url, { redirect: 'manual', ...init, headers: { 'user-agent': BROWSER, ...init.headers } });

  it('answers the open pixel with an uncacheable 1×1 GIF and records a human open', async () => {
    const delivery = await h.delivery();
    const answer = await get(h.link(h.claims('open', delivery, { locale: 'fr-FR' })));
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('image/gif');
    expect(answer.headers.get('cache-control')).toContain('no-store');
    const body = Buffer.from(await answer.arrayBuffer());
    expect(body.subarray(0, 6).toString('latin1')).toBe('GIF89a');
    expect([body.readUInt16LE(6), body.readUInt16LE(8)]).toEqual([1, 1]);

    expect(await h.recorded(delivery.executionId, 'opened')).toEqual([
      { group: null, kind: 'opened', machine: false, total: 1, unique: 1 },
    ]);
  });

  it('redirects a click to exactly the URL the message was sent with and records it with its link', async () => {
    const delivery = await h.delivery();
    const answer = await get(
      h.link(h.claims('click', delivery, { linkId: '2', label: 'hero', url: SALE_URL })),
    );
    expect(answer.status).toBe(302);
    expect(answer.headers.get('location')).toBe(SALE_URL);
    expect(answer.headers.get('cache-control')).toContain('no-store');

    expect(await h.recorded(delivery.executionId, 'clicked')).toEqual([
      { group: '2', kind: 'clicked', machine: false, label: 'hero', total: 1, unique: 1 },
    ]);
  });

  it('counts a HEAD click, a privacy proxy open and a click seconds after sending as machine hits', async () => {
    const delivery = await h.delivery();
    const click = h.claims('click', delivery, { linkId: '0', url: SALE_URL });
    const head = await get(h.link(click), { method: 'HEAD' });
    expect(head.status).toBe(302);
    expect(head.headers.get('location')).toBe(SALE_URL);
    // Apple Mail Privacy Protection fetches images with a bare `Mozilla/5.0`.
    expect(
      (await get(h.link(h.claims('open', delivery)), { headers: { 'user-agent': 'Mozilla/5.0' } })).status,
    ).toBe(200);
    const justSent = Math.floor(h.clock.nowMs / 1000) - 1;
    const scanned = await get(h.link({ ...click, issuedAt: justSent }));
    expect(scanned.status).toBe(302);

    await h.recorded(delivery.executionId, 'opened');
    const rows = await waitForTotal(h, delivery.executionId, 3);
    expect(rows).toEqual([
      { group: '0', kind: 'clicked', machine: true, total: 2, unique: 1 },
      { group: null, kind: 'opened', machine: true, total: 1, unique: 1 },
    ]);
  });

  it('follows the links a rendered e-mail carries: pixel and rewritten link', async () => {
    const delivery = await h.delivery();
    const { html } = instrumentEmailHtml(
      `<html><body><a href="${SALE_URL.replace(/&/g, '&amp;')}" data-herald-label="hero">Sale</a></body></html>`,
      { opens: true, clicks: true },
      h.context(delivery),
    );
    const urls = [...html.matchAll(/(?:href|src)="([^"]+)"/g)].map((match) =>
      (match[1] ?? '').replace(/&amp;/g, '&'),
    );
    const click = urls.find((url) => url.startsWith(`${h.url}/c/`));
    const pixel = urls.find((url) => url.startsWith(`${h.url}/o/`));
    expect({ click, pixel }).toEqual({ click: expect.any(String), pixel: expect.any(String) });

    expect((await get(pixel ?? '')).status).toBe(200);
    const answer = await get(click ?? '');
    expect(answer.headers.get('location')).toBe(SALE_URL);
    await h.recorded(delivery.executionId, 'clicked');
    expect(await waitForTotal(h, delivery.executionId, 2)).toEqual([
      { group: '0', kind: 'clicked', machine: false, label: 'hero', total: 1, unique: 1 },
      { group: null, kind: 'opened', machine: false, total: 1, unique: 1 },
    ]);
  });

  it('answers 404 to tampered, foreign, expired and misused tokens, redirecting nowhere and recording nothing', async () => {
    const delivery = await h.delivery();
    const click = h.claims('click', delivery, { linkId: '0', url: SALE_URL });
    const token = h.tokens.sign(click);
    const flipped = `${token.slice(0, 20)}${token[20] === 'A' ? 'B' : 'A'}${token.slice(21)}`;
    const foreign = new TrackingTokens(['another-deployment-key-0123456789abcdef']).sign({
      ...click,
      url: 'https://evil.example.net/',
    });
    const expired = h.tokens.sign({ ...click, expiresAt: Math.floor(h.clock.nowMs / 1000) - 1 });
    const refused = [
      trackerUrl(h.url, 'click', flipped),
      trackerUrl(h.url, 'click', token.slice(0, -3)),
      trackerUrl(h.url, 'click', foreign),
      trackerUrl(h.url, 'click', expired),
      // Signed for an open: a valid token is only good for its own action.
      trackerUrl(h.url, 'click', h.tokens.sign({ ...click, action: 'open' })),
      trackerUrl(h.url, 'open', token),
      `${h.url}/c/`,
      `${h.url}/c/${token}/${token}`,
    ];
    for (const url of refused) {
      const answer = await get(url);
      expect({ url, status: answer.status, location: answer.headers.get('location') }).toEqual({
        url,
        status: 404,
        location: null,
      });
    }

    // A valid open after them: once it is written, anything they had recorded would be too.
    await get(h.link(h.claims('open', delivery)));
    expect(await h.recorded(delivery.executionId, 'opened')).toEqual([
      { group: null, kind: 'opened', machine: false, total: 1, unique: 1 },
    ]);
  });

  it('refuses a link once its 25 months are over', async () => {
    const delivery = await h.delivery();
    const link = h.link(h.claims('click', delivery, { linkId: '0', url: SALE_URL }));
    expect((await get(link)).status).toBe(302);
    const now = h.clock.nowMs;
    h.clock.nowMs += LINK_LIFETIME_SECONDS * 1000;
    try {
      const answer = await get(link);
      expect([answer.status, answer.headers.get('location')]).toEqual([404, null]);
    } finally {
      h.clock.nowMs = now;
    }
    await get(h.link(h.claims('open', delivery)));
    expect(await h.recorded(delivery.executionId, 'opened')).toEqual([
      { group: '0', kind: 'clicked', machine: false, total: 1, unique: 1 },
      { group: null, kind: 'opened', machine: false, total: 1, unique: 1 },
    ]);
  });

  it('answers /health and /ready (the store answers)', async () => {
    expect(await (await fetch(`${h.url}/health`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${h.url}/ready`);
    expect({ status: ready.status, body: await ready.json() }).toEqual({
      status: 200,
      body: { status: 'ok', checks: { store: 'ok' } },
    });
  });
});

describe('tracker: stopping', () => {
  it('writes the events still waiting for their batch when it stops', async () => {
    // A window far longer than the test: only the stop can write the open.
    const h = await startTrackerHarness('stopping', { windowMs: 600_000 });
    try {
      const delivery = await h.delivery();
      const answer = await fetch(h.link(h.claims('open', delivery)), { headers: { 'user-agent': BROWSER } });
      expect(answer.status).toBe(200);
      await h.stopTracker();
      expect(await h.counts(delivery.executionId)).toEqual([
        { group: null, kind: 'opened', machine: false, total: 1, unique: 1 },
      ]);
    } finally {
      await h.stop();
    }
  });
});

/** The execution's rows once their totals reach `total` (each batch is written whole). */
async function waitForTotal(h: TrackerHarness, executionId: string, total: number) {
  let rows = await h.counts(executionId);
  const deadline = Date.now() + 10_000;
  while (rows.reduce((sum, row) => sum + row.total, 0) < total && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    rows = await h.counts(executionId);
  }
  return rows;
}
