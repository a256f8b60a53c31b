import path from 'node:path';
import { newId } from '@herald/contracts';
import { openStore } from '@herald/store';
import {
  createTempDir,
  startServiceProcess,
  testRedisUrl,
  uniqueQueuePrefix,
  type TempDir,
} from '@herald/testing';
import { LINK_LIFETIME_SECONDS, TrackingTokens, trackerUrl, type TrackingClaims } from '@herald/tracking';
import {
  PROCESS_TRACKING_KEY,
  startTrackerProcess,
  TRACKER_ENTRY,
  trackerEnv,
} from '../../../test/support/herald-processes';
import { BROWSER } from './tracker-harness.fixture';

/** The built tracker (`node services/tracker/dist/index.js`), as deployed. */
describe('tracker process', () => {
  let dir: TempDir;
  beforeEach(() => (dir = createTempDir('tracker-process')));
  afterEach(() => dir.remove());

  it('refuses to start without TRACKING_KEYS, saying so', async () => {
    const tracker = startServiceProcess(
      TRACKER_ENTRY,
      { HERALD_DATA_DIR: dir.path, TRACKER_PORT: '0' },
      process.env,
    );
    expect(await tracker.exited).toBe(1);
    expect(tracker.output()).toContain('TRACKING_KEYS is required');
  });

  it('serves a click and an unsubscription, logs neither token nor address, and writes its events on SIGTERM', async () => {
    const env = {
      HERALD_DATA_DIR: dir.path,
      REDIS_URL: testRedisUrl(process.env),
      QUEUE_PREFIX: uniqueQueuePrefix('tracker-process'),
      NODE_ENV: 'test',
      LOG_LEVEL: 'debug',
      ...(await trackerEnv()),
    };
    const store = await openStore({ url: path.join(dir.path, 'herald.sqlite') });
    const tracker = await startTrackerProcess(env);
    try {
      const base = env.TRACKER_PUBLIC_URL;
      const ready = await fetch(`${base}/ready`);
      expect(ready.status).toBe(200);

      const delivery = { sandbox: 'prod', campaignId: newId(), executionId: newId(), deliveryId: newId() };
      const address = 'process.reader@example.com';
      await store.deliveries.record(
        { ...delivery, id: delivery.deliveryId, campaignVersion: 1, recipientIndex: 0, channel: 'email' },
        { event: { status: 'sent', at: new Date().toISOString() }, address },
      );
      const now = Math.floor(Date.now() / 1000);
      const claims = (action: TrackingClaims['action']): TrackingClaims => ({
        ...delivery,
        action,
        channel: 'email',
        issuedAt: now - 3600,
        expiresAt: now + LINK_LIFETIME_SECONDS,
      });
      const tokens = new TrackingTokens([PROCESS_TRACKING_KEY]);
      const clickToken = tokens.sign({
        ...claims('click'),
        linkId: '0',
        url: 'https://shop.example.com/p?id=7',
      });
      const unsubscribeToken = tokens.sign(claims('unsubscribe'));

      const click = await fetch(trackerUrl(base, 'click', clickToken), {
        redirect: 'manual',
        headers: { 'user-agent': BROWSER },
      });
      expect([click.status, click.headers.get('location')]).toEqual([302, 'https://shop.example.com/p?id=7']);
      const unsubscribed = await fetch(trackerUrl(base, 'unsubscribe', unsubscribeToken), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      expect(unsubscribed.status).toBe(200);

      expect(await tracker.stop('SIGTERM')).toBe(0);
      const rows = await store.engagement.count(
        {
          sandbox: 'prod',
          executionId: delivery.executionId,
          from: '2000-01-01T00:00:00Z',
          to: '2100-01-01T00:00:00Z',
        },
        { by: 'link' },
      );
      expect(
        rows.map(({ kind, total }) => ({ kind, total })).sort((a, b) => a.kind.localeCompare(b.kind)),
      ).toEqual([
        { kind: 'clicked', total: 1 },
        { kind: 'unsubscribed', total: 1 },
      ]);
      expect(tracker.logs().map((line) => line.msg)).toEqual(
        expect.arrayContaining(['tracker listening', 'request completed', 'unsubscribed', 'tracker stopped']),
      );
      for (const secret of [clickToken, unsubscribeToken, address, 'shop.example.com'])
        expect({ secret, logged: tracker.output().includes(secret) }).toEqual({ secret, logged: false });
    } finally {
      await tracker.stop();
      await store.close();
    }
  });
});
