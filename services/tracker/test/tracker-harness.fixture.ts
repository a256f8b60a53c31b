import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '@herald/config';
import { newId, type Channel } from '@herald/contracts';
import { createLogger } from '@herald/logger';
import { openStore, type EngagementCountRow, type Store } from '@herald/store';
import { createTempDir, testRedisUrl, uniqueQueuePrefix, waitFor, type TempDir } from '@herald/testing';
import {
  LINK_LIFETIME_SECONDS,
  TrackingTokens,
  trackerUrl,
  type TrackedAction,
  type TrackingClaims,
  type TrackingContext,
} from '@herald/tracking';
import { buildTracker, type TrackerRuntime } from '../src/index';
import type { EngagementWriterOptions } from '../src/engagement-writer';

export const TEST_TRACKING_KEY = 'tracker-test-key-0123456789abcdefghijklmnop';

/** A person's browser: its hits, an hour after sending, are human ones. */
export const BROWSER =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';

const HOUR_SECONDS = 3600;

/** One delivery record in the store, as the worker writes it when a message is sent. */
export interface TestDelivery {
  sandbox: string;
  campaignId: string;
  executionId: string;
  deliveryId: string;
  channel: Channel;
  address?: string;
  profileId?: string;
}

/**
 * A real tracker (in this process, on a free port) over a private embedded store, with a clock the
 * test moves. Tokens are signed with the tracker's key, issued an hour before the clock's time.
 */
export interface TrackerHarness {
  url: string;
  store: Store;
  tokens: TrackingTokens;
  dir: TempDir;
  clock: { nowMs: number };
  /** Writes a sent delivery record (with a profile id or an address when given). */
  delivery(fields?: Partial<TestDelivery>): Promise<TestDelivery>;
  /** The claims of a token for `delivery`, valid for 25 months from an hour ago. */
  claims(action: TrackedAction, delivery: TestDelivery, extra?: Partial<TrackingClaims>): TrackingClaims;
  /** The tracker URL of a token made from `claims`. */
  link(claims: TrackingClaims): string;
  /** What the worker gives `serviceLinks` and `instrumentEmailHtml` for `delivery`. */
  context(delivery: TestDelivery): TrackingContext;
  /** The engagement events of an execution, by link, kind and machine flag; sorted by kind, flag, link. */
  counts(executionId: string, sandbox?: string): Promise<EngagementCountRow[]>;
  /** Resolves once the execution's events include one of `kind` (their batch is written). */
  recorded(
    executionId: string,
    kind: EngagementCountRow['kind'],
    sandbox?: string,
  ): Promise<EngagementCountRow[]>;
  /** Stops the server, then the tracker, which writes the events still waiting. */
  stopTracker(): Promise<void>;
  /** Stops the tracker if still running, then closes the test's store and removes its folder. */
  stop(): Promise<void>;
}

export async function startTrackerHarness(
  name: string,
  writer: Partial<EngagementWriterOptions> = { windowMs: 10 },
): Promise<TrackerHarness> {
  const dir = createTempDir(`tracker-${name}`);
  const config = loadConfig({
    HERALD_DATA_DIR: dir.path,
    REDIS_URL: testRedisUrl(process.env),
    QUEUE_PREFIX: uniqueQueuePrefix(`tracker-${name}`),
    NODE_ENV: 'test',
    TRACKING_KEYS: TEST_TRACKING_KEY,
    TRACKER_PORT: '0',
  });
  const clock = { nowMs: Date.now() };
  const logger = createLogger({
    level: process.env.HARNESS_LOG_LEVEL === 'debug' ? 'debug' : 'silent',
    service: `tracker-test-${name}`,
  });
  const runtime: TrackerRuntime = await buildTracker(config, logger, { now: () => clock.nowMs, writer });
  const server: Server = await new Promise((resolve) => {
    const listening = runtime.app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const store = await openStore({ url: config.store.url });
  const tokens = new TrackingTokens([TEST_TRACKING_KEY]);
  const nowSeconds = (): number => Math.floor(clock.nowMs / 1000);
  const counts = async (executionId: string, sandbox = 'prod') =>
    (
      await store.engagement.count(
        { sandbox, executionId, from: '2000-01-01T00:00:00.000Z', to: '2100-01-01T00:00:00.000Z' },
        { by: 'link' },
      )
    ).sort(
      (a, b) =>
        a.kind.localeCompare(b.kind) ||
        Number(a.machine) - Number(b.machine) ||
        String(a.group).localeCompare(String(b.group)),
    );
  let trackerStopped: Promise<void> | undefined;
  const stopTracker = (): Promise<void> =>
    (trackerStopped ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // The tests' keep-alive connections would otherwise hold the server open.
      server.closeAllConnections();
      await closed;
      await runtime.close();
    })());
  let recipientIndex = 0;
  return {
    url,
    store,
    tokens,
    dir,
    clock,
    delivery: async (fields = {}) => {
      const delivery: TestDelivery = {
        sandbox: 'prod',
        campaignId: newId(),
        executionId: newId(),
        deliveryId: newId(),
        channel: 'email',
        ...fields,
      };
      await store.deliveries.record(
        {
          id: delivery.deliveryId,
          sandbox: delivery.sandbox,
          executionId: delivery.executionId,
          campaignId: delivery.campaignId,
          campaignVersion: 1,
          recipientIndex: (recipientIndex += 1),
          channel: delivery.channel,
        },
        {
          event: { status: 'sent', at: new Date(clock.nowMs - HOUR_SECONDS * 1000).toISOString() },
          ...(delivery.address !== undefined ? { address: delivery.address } : {}),
          ...(delivery.profileId !== undefined ? { profileId: delivery.profileId } : {}),
        },
      );
      return delivery;
    },
    claims: (action, delivery, extra = {}) => ({
      action,
      sandbox: delivery.sandbox,
      campaignId: delivery.campaignId,
      executionId: delivery.executionId,
      deliveryId: delivery.deliveryId,
      channel: delivery.channel,
      issuedAt: nowSeconds() - HOUR_SECONDS,
      expiresAt: nowSeconds() - HOUR_SECONDS + LINK_LIFETIME_SECONDS,
      ...extra,
    }),
    link: (claims) => trackerUrl(url, claims.action, tokens.sign(claims)),
    context: (delivery) => ({
      tokens,
      baseUrl: url,
      claims: {
        sandbox: delivery.sandbox,
        campaignId: delivery.campaignId,
        executionId: delivery.executionId,
        deliveryId: delivery.deliveryId,
        channel: delivery.channel,
        locale: 'en-US',
      },
      nowSeconds: nowSeconds() - HOUR_SECONDS,
    }),
    counts,
    recorded: (executionId, kind, sandbox) =>
      waitFor(
        async () => {
          const rows = await counts(executionId, sandbox);
          return rows.some((row) => row.kind === kind) ? rows : undefined;
        },
        { description: `a recorded ${kind} event` },
      ),
    stopTracker,
    stop: async () => {
      await stopTracker();
      await store.close();
      dir.remove();
    },
  };
}
