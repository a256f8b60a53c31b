import type { Job } from 'bullmq';
import type { DeliveryJobData } from '@herald/contracts';
import { DeliveryCounters, RedisKeys } from '@herald/queues';
import { jobInState, orderShippedCampaign, orderShippedRecipient } from '@herald/testing';
import { CampaignThrottle } from '../src/policy/campaign-throttle';
import { startWorkerHarness, type WorkerHarness } from './worker-harness.fixture';

const HOUR_MS = 3600 * 1000;
/** UTC+6: six hours away from a two-hour quiet window around the current UTC time. */
const AWAKE_ZONE = 'Etc/GMT-6';

const newsletter = () =>
  orderShippedCampaign({
    name: 'Newsletter',
    type: 'marketing',
    createProfiles: false,
    throttle: { perSecond: 1 },
  });

const aep = (email: string) => orderShippedRecipient(email, { type: 'aep' });

/** HH:MM in UTC, `offsetMinutes` from `from`. */
function clock(from: number, offsetMinutes: number): string {
  const at = new Date(from + offsetMinutes * 60_000);
  return `${String(at.getUTCHours()).padStart(2, '0')}:${String(at.getUTCMinutes()).padStart(2, '0')}`;
}

describe('the campaign throttle of a marketing message deferred by quiet hours (real Redis, embedded store)', () => {
  let h: WorkerHarness;
  let sandboxCount = 0;
  const nextSandbox = () => `quiet${++sandboxCount}`;

  beforeAll(async () => {
    h = await startWorkerHarness('throttle-after-quiet-hours');
  });
  afterAll(async () => h?.stop());

  /** A consenting profile, and quiet hours from an hour ago to an hour from now (UTC), deferring. */
  async function quietSandbox(email: string) {
    const sandbox = nextSandbox();
    await h.store.profiles.create(sandbox, {
      identities: [{ namespace: 'email', id: email }],
      consents: { marketing: { email: 'y' } },
    });
    const now = Date.now();
    // The window ends at the start of the minute an hour from now: quiet hours are whole minutes.
    const windowEnd = Math.floor((now + HOUR_MS) / 60_000) * 60_000;
    await h.store.settings.put(sandbox, {
      frequencyCaps: {},
      quietHours: { start: clock(now, -60), end: clock(now, 60), timezone: 'UTC', action: 'defer' },
    });
    return { sandbox, windowEnd };
  }

  /** When BullMQ will release a delayed job: its delayed-set score is the release time × 0x1000 plus a counter. */
  async function releaseAt(jobId: string): Promise<number> {
    const score = await h.redis.zscore(`${h.prefix}:deliver-email:delayed`, jobId);
    return Math.floor(Number(score) / 0x1000);
  }

  const throttleKey = (sandbox: string, campaignId: string) =>
    new RedisKeys(h.prefix).throttle(sandbox, campaignId);

  it("defers the message to the window's end and reserves no throttle slot while it waits", async () => {
    const { sandbox, windowEnd } = await quietSandbox('night@example.com');
    const version = await h.liveCampaign(newsletter(), sandbox);
    const { executionId, deliveryIds } = await h.enqueue(version, [aep('night@example.com')]);

    const job = await jobInState(h.queue('email'), deliveryIds[0]!, 'delayed');
    expect(job.data.deferredUntil).toBe(windowEnd);
    expect(job.data.throttleSlotAt).toBeUndefined();
    expect(await releaseAt(job.id!)).toBe(windowEnd);
    expect(await h.redis.exists(throttleKey(sandbox, version.campaignId))).toBe(0);
    expect(await h.store.deliveries.get(sandbox, deliveryIds[0]!)).toBeNull();
    expect(await new DeliveryCounters(h.redis, h.prefix).execution(sandbox, executionId)).toMatchObject({
      deferred: 1,
    });
  });

  it("counts the 12 h throttle wait from the window's end: a slot 12.5 h away is kept for it, not for a message sent now", async () => {
    const { sandbox, windowEnd } = await quietSandbox('late@example.com');
    const version = await h.liveCampaign(newsletter(), sandbox);
    // Books the campaign's schedule 12.5 h ahead with the script every worker reserves slots with: one
    // reservation whose interval spans 12.5 h stands for 45,000 one-second slots already taken.
    const bookingSpanMs = 12.5 * HOUR_MS;
    const booking = await new CampaignThrottle(h.redis, h.prefix).reserve(
      sandbox,
      version.campaignId,
      1000 / bookingSpanMs,
      Number.MAX_SAFE_INTEGER,
    );
    const nextFreeSlot = booking.slotAt + bookingSpanMs;

    const deferred = await h.enqueue(version, [aep('late@example.com')]);
    const jobId = deferred.deliveryIds[0]!;
    const parked = await jobInState(h.queue('email'), jobId, 'delayed');
    expect(parked.data.deferredUntil).toBe(windowEnd);

    // The window is over for this profile: it now lives where it is day. Promoting the job stands for
    // the release BullMQ would make at the window's end.
    await h.store.profiles.upsert(sandbox, {
      identities: [{ namespace: 'email', id: 'late@example.com' }],
      timezone: AWAKE_ZONE,
    });
    await parked.promote();
    const slotted = await jobInState(
      h.queue('email'),
      jobId,
      'delayed',
      (job: Job<DeliveryJobData>) => job.data.throttleSlotAt !== undefined,
    );
    // The next free slot is past 12 h from now, but within 12 h of the window's end.
    expect(nextFreeSlot).toBeGreaterThan(Date.now() + 12 * HOUR_MS);
    expect(nextFreeSlot).toBeLessThanOrEqual(windowEnd + 12 * HOUR_MS);
    expect(slotted.data.throttleSlotAt).toBe(nextFreeSlot);
    expect(slotted.data.deferredUntil).toBe(windowEnd);
    expect(await releaseAt(jobId)).toBe(nextFreeSlot);

    // The same campaign's message queued now, never deferred, cannot wait that long.
    await h.store.profiles.create(sandbox, {
      identities: [{ namespace: 'email', id: 'awake@example.com' }],
      consents: { marketing: { email: 'y' } },
      timezone: AWAKE_ZONE,
    });
    const fresh = await h.enqueue(version, [aep('awake@example.com')]);
    const [record] = await h.settled(fresh.executionId, 1, undefined, sandbox);
    expect(record).toMatchObject({ status: 'excluded', reason: 'throttle-expired' });
    expect(await h.store.deliveries.get(sandbox, jobId)).toBeNull();
    expect(
      await new DeliveryCounters(h.redis, h.prefix).execution(sandbox, deferred.executionId),
    ).toMatchObject({ deferred: 2 });
  });
});
