import type { CampaignDefinition, Delivery } from '@herald/contracts';
import { DeliveryCounters } from '@herald/queues';
import type { SuppressionReason } from '@herald/store';
import { orderShippedCampaign, orderShippedRecipient, waitFor } from '@herald/testing';
import { startWorkerHarness, type WorkerHarness } from './worker-harness.fixture';

/** A marketing e-mail: consent, caps and quiet hours apply to it. */
const newsletter = (overrides: Partial<CampaignDefinition> = {}): CampaignDefinition =>
  orderShippedCampaign({ name: 'Newsletter', type: 'marketing', createProfiles: false, ...overrides });

const order = { orderId: 'A-1', total: 1 };

const aep = (email: string) => orderShippedRecipient(email, { type: 'aep', context: order });

const MINUTE = 60_000;

/** The wall clock (HH:MM) in `timezone` at the instant `at`. */
function clockAt(at: number, timezone = 'UTC'): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
}

/** The send outcomes among an execution's live counters. */
interface CountedOutcomes {
  sent: number;
  failed: number;
  excluded: number;
  excludedByReason: Record<string, number>;
}

/** The outcomes the counters must show for these records: one per record, by its status and reason. */
function outcomesOf(records: readonly Delivery[]): CountedOutcomes {
  const outcomes: CountedOutcomes = { sent: 0, failed: 0, excluded: 0, excludedByReason: {} };
  for (const record of records) {
    if (record.status === 'sent') outcomes.sent += 1;
    if (record.status === 'failed') outcomes.failed += 1;
    if (record.status === 'excluded') {
      outcomes.excluded += 1;
      const reason = record.reason ?? 'none';
      outcomes.excludedByReason[reason] = (outcomes.excludedByReason[reason] ?? 0) + 1;
    }
  }
  return outcomes;
}

describe('worker exclusions (real Redis, real embedded store)', () => {
  let h: WorkerHarness;
  let sandboxCount = 0;
  /** Each test gets its own sandbox so settings and caps never leak between tests. */
  const nextSandbox = () => `sbx${++sandboxCount}`;

  beforeAll(async () => {
    h = await startWorkerHarness('exclusions');
  });
  afterAll(async () => h?.stop());

  /**
   * The execution's live counters once they account for `settled` recipients: they move just after
   * the records are written. An under-count times out here; an over-count shows in the comparison.
   */
  async function countedOutcomes(
    sandbox: string,
    executionId: string,
    settled: number,
  ): Promise<CountedOutcomes> {
    const counters = new DeliveryCounters(h.redis, h.prefix);
    const counts = await waitFor(
      async () => {
        const live = await counters.execution(sandbox, executionId);
        return live && live.sent + live.failed + live.excluded >= settled ? live : undefined;
      },
      { timeoutMs: 5000, description: `live counters of ${executionId} for ${settled} recipients` },
    );
    const { sent, failed, excluded, excludedByReason } = counts;
    return { sent, failed, excluded, excludedByReason };
  }

  async function consentingProfile(sandbox: string, email: string, extra: { timezone?: string } = {}) {
    return h.store.profiles.create(sandbox, {
      identities: [{ namespace: 'email', id: email }],
      consents: { marketing: { email: 'y' } },
      ...extra,
    });
  }

  const suppress = (sandbox: string, address: string, reason: SuppressionReason) =>
    h.store.suppressions.add({ sandbox, channel: 'email', address, reason, source: 'test' });

  /** Of a two-recipient execution, the first was sent and the second excluded as suppressed. */
  async function expectSentThenSuppressed(sandbox: string, executionId: string): Promise<void> {
    const records = await h.settled(executionId, 2, undefined, sandbox);
    expect(records.map((r) => [r.status, r.reason ?? null])).toEqual([
      ['sent', null],
      ['excluded', 'suppressed'],
    ]);
    expect(await countedOutcomes(sandbox, executionId, 2)).toEqual({
      sent: 1,
      failed: 0,
      excluded: 1,
      excludedByReason: { suppressed: 1 },
    });
  }

  it('excludes a suppressed address, counts it by reason, and sends to the others', async () => {
    const sandbox = nextSandbox();
    await consentingProfile(sandbox, 'ok@example.com');
    await consentingProfile(sandbox, 'Bounced@Example.com');
    await suppress(sandbox, 'bounced@example.com', 'hard-bounce');
    const version = await h.liveCampaign(newsletter(), sandbox);
    const { executionId } = await h.enqueue(version, [aep('ok@example.com'), aep('Bounced@Example.com')]);
    await expectSentThenSuppressed(sandbox, executionId);
  });

  it('still sends transactional messages to an address suppressed for a spam complaint, never to a hard bounce', async () => {
    const sandbox = nextSandbox();
    await suppress(sandbox, 'spam@example.com', 'spam-complaint');
    await suppress(sandbox, 'gone@example.com', 'hard-bounce');
    const version = await h.liveCampaign(orderShippedCampaign(), sandbox);
    const { executionId } = await h.enqueue(version, [aep('spam@example.com'), aep('gone@example.com')]);
    await expectSentThenSuppressed(sandbox, executionId);
  });

  it('excludes marketing to a profile without explicit marketing consent for the channel, and counts it by reason', async () => {
    const sandbox = nextSandbox();
    await h.store.profiles.create(sandbox, { identities: [{ namespace: 'email', id: 'none@example.com' }] });
    await h.store.profiles.create(sandbox, {
      identities: [{ namespace: 'email', id: 'no@example.com' }],
      consents: { marketing: { email: 'n', sms: 'y' } },
    });
    await consentingProfile(sandbox, 'yes@example.com');
    const version = await h.liveCampaign(newsletter(), sandbox);
    const { executionId } = await h.enqueue(version, [
      aep('none@example.com'),
      aep('no@example.com'),
      aep('yes@example.com'),
    ]);
    const records = await h.settled(executionId, 3, undefined, sandbox);
    expect(records.map((r) => r.reason ?? r.status)).toEqual([
      'no-marketing-consent',
      'no-marketing-consent',
      'sent',
    ]);
    expect(await countedOutcomes(sandbox, executionId, 3)).toEqual({
      sent: 1,
      failed: 0,
      excluded: 2,
      excludedByReason: { 'no-marketing-consent': 2 },
    });
  });

  it('caps marketing per profile and channel across executions, with the counter in Redis, and counts it by reason', async () => {
    const sandbox = nextSandbox();
    await consentingProfile(sandbox, 'capped@example.com');
    await h.store.settings.put(sandbox, { frequencyCaps: { email: { max: 2, periodSeconds: 3600 } } });
    const version = await h.liveCampaign(newsletter(), sandbox);
    const outcomes: string[] = [];
    const counted: CountedOutcomes[] = [];
    for (let i = 0; i < 3; i += 1) {
      const { executionId } = await h.enqueue(version, [aep('capped@example.com')]);
      const [record] = await h.settled(executionId, 1, undefined, sandbox);
      outcomes.push(record?.reason ?? record?.status ?? 'missing');
      counted.push(await countedOutcomes(sandbox, executionId, 1));
    }
    expect(outcomes).toEqual(['sent', 'sent', 'frequency-capped']);
    const sentOne = { sent: 1, failed: 0, excluded: 0, excludedByReason: {} };
    expect(counted).toEqual([
      sentOne,
      sentOne,
      { sent: 0, failed: 0, excluded: 1, excludedByReason: { 'frequency-capped': 1 } },
    ]);
  });

  it('excludes recipients of a campaign stopped after the call, or past the end of its schedule, and counts them by reason', async () => {
    const sandbox = nextSandbox();
    await consentingProfile(sandbox, 'late@example.com');
    const stopped = await h.liveCampaign(orderShippedCampaign(), sandbox);
    await h.store.campaigns.transition(sandbox, stopped.campaignId, { from: ['live'], to: 'stopped' });
    const ended = await h.liveCampaign(
      orderShippedCampaign({ schedule: { end: new Date(Date.now() - 1000).toISOString() } }),
      sandbox,
    );
    const first = await h.enqueue(stopped, [aep('late@example.com')]);
    const second = await h.enqueue(ended, [aep('late@example.com')]);
    const [a] = await h.settled(first.executionId, 1, undefined, sandbox);
    const [b] = await h.settled(second.executionId, 1, undefined, sandbox);
    expect([a?.reason, b?.reason]).toEqual(['campaign-not-live', 'campaign-not-live']);
    const notLive = { sent: 0, failed: 0, excluded: 1, excludedByReason: { 'campaign-not-live': 1 } };
    expect(await countedOutcomes(sandbox, first.executionId, 1)).toEqual(notLive);
    expect(await countedOutcomes(sandbox, second.executionId, 1)).toEqual(notLive);
  });

  it('excludes an unknown profile when the campaign does not create profiles, and a recipient with no address, each counted by reason', async () => {
    const sandbox = nextSandbox();
    await h.store.profiles.create(sandbox, { identities: [{ namespace: 'crmId', id: 'c-1' }] });
    const version = await h.liveCampaign(orderShippedCampaign({ createProfiles: false }), sandbox);
    const { executionId } = await h.enqueue(version, [
      aep('stranger@example.com'),
      { type: 'aep', namespace: 'crmId', userId: 'c-1', context: order },
    ]);
    const records = await h.settled(executionId, 2, undefined, sandbox);
    expect(records.map((r) => r.reason)).toEqual(['profile-not-found', 'no-address']);
    expect(await countedOutcomes(sandbox, executionId, 2)).toEqual({
      sent: 0,
      failed: 0,
      excluded: 2,
      excludedByReason: { 'profile-not-found': 1, 'no-address': 1 },
    });
  });

  it('discards marketing inside quiet hours when the sandbox says discard, and counts it by reason', async () => {
    const sandbox = nextSandbox();
    await consentingProfile(sandbox, 'night@example.com');
    await h.store.settings.put(sandbox, {
      frequencyCaps: {},
      quietHours: {
        start: clockAt(Date.now() - 60 * MINUTE),
        end: clockAt(Date.now() + 60 * MINUTE),
        timezone: 'UTC',
        action: 'discard',
      },
    });
    const version = await h.liveCampaign(newsletter(), sandbox);
    const { executionId } = await h.enqueue(version, [aep('night@example.com')]);
    const [record] = await h.settled(executionId, 1, undefined, sandbox);
    expect(record?.reason).toBe('quiet-hours');
    expect(await countedOutcomes(sandbox, executionId, 1)).toEqual({
      sent: 0,
      failed: 0,
      excluded: 1,
      excludedByReason: { 'quiet-hours': 1 },
    });
  });

  it("defers marketing inside quiet hours to the window's end in the profile's time zone", async () => {
    const sandbox = nextSandbox();
    // The window runs from an hour before to 90 minutes after now on the profile's clock, whenever the
    // test runs (midnight included: windows may span it). Kolkata is UTC+05:30 all year, so read in
    // the sandbox's UTC the same window is hours away: only the profile's zone defers the message.
    const zone = 'Asia/Kolkata';
    const now = Date.now();
    // The zone's offset is whole minutes: the window ends exactly where a UTC minute starts.
    const windowEnd = Math.floor((now + 90 * MINUTE) / MINUTE) * MINUTE;
    await consentingProfile(sandbox, 'sleepy@example.com', { timezone: zone });
    await h.store.settings.put(sandbox, {
      frequencyCaps: {},
      quietHours: {
        start: clockAt(now - 60 * MINUTE, zone),
        end: clockAt(windowEnd, zone),
        timezone: 'UTC',
        action: 'defer',
      },
    });
    const version = await h.liveCampaign(newsletter(), sandbox);
    const { deliveryIds } = await h.enqueue(version, [aep('sleepy@example.com')]);
    await waitForDelayed(h, deliveryIds[0]!);
    // BullMQ scores a delayed job by its release time × 0x1000 (plus a tie-breaking counter).
    const score = await h.redis.zscore(`${h.prefix}:deliver-email:delayed`, deliveryIds[0]!);
    expect(Math.floor(Number(score) / 0x1000)).toBe(windowEnd);
    expect(await h.store.deliveries.get(sandbox, deliveryIds[0]!)).toBeNull();
  });

  it('drops a throttled message that could not be sent within 12 hours of its call, counted by reason, without delaying later ones', async () => {
    const sandbox = nextSandbox();
    const version = await h.liveCampaign(orderShippedCampaign({ throttle: { perSecond: 1 } }), sandbox);
    const queuedAt = new Date(Date.now() - 12 * 3600 * 1000 + 200).toISOString();
    const late = Array.from({ length: 6 }, (_, index) => aep(`t${index}@example.com`));
    const { executionId } = await h.enqueue(version, late, { queuedAt });
    const records = await h.settled(executionId, late.length, undefined, sandbox);
    expect(records.filter((r) => r.status === 'sent')).toHaveLength(1);
    expect(records.filter((r) => r.reason === 'throttle-expired')).toHaveLength(late.length - 1);
    expect(await countedOutcomes(sandbox, executionId, late.length)).toEqual({
      sent: 1,
      failed: 0,
      excluded: late.length - 1,
      excludedByReason: { 'throttle-expired': late.length - 1 },
    });

    // The dropped messages reserved nothing: a fresh call waits one slot, not one per dropped message.
    const started = Date.now();
    const fresh = await h.enqueue(version, [aep('fresh@example.com')]);
    const [record] = await h.settled(fresh.executionId, 1, undefined, sandbox);
    expect(record?.status).toBe('sent');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('sends a job that comes back after its reserved throttle slot at once, without queueing it again', async () => {
    const sandbox = nextSandbox();
    const version = await h.liveCampaign(orderShippedCampaign({ throttle: { perSecond: 1 } }), sandbox);
    // Five messages book the next five seconds of the campaign's schedule.
    const booked = await h.enqueue(
      version,
      Array.from({ length: 5 }, (_, index) => aep(`b${index}@example.com`)),
    );
    await waitFor(async () => (await h.queue('email').getDelayedCount()) >= 4, {
      description: 'four booked messages waiting for their slots',
    });
    // A message whose slot passed while it waited behind other work.
    const late = await h.enqueue(version, [aep('late@example.com')], {
      data: { throttleSlotAt: Date.now() - 5000 },
    });
    const [record] = await h.settled(late.executionId, 1, undefined, sandbox);
    expect(record?.status).toBe('sent');
    const bookedRecords = await h.store.deliveries.listByExecution(sandbox, booked.executionId);
    expect(bookedRecords.items.filter((r) => r.status === 'sent').length).toBeLessThan(5);
  });

  it('gives back the frequency-cap place of a message deferred by the throttle and then excluded', async () => {
    const sandbox = nextSandbox();
    await h.store.settings.put(sandbox, { frequencyCaps: { email: { max: 1, periodSeconds: 3600 } } });
    for (const name of ['q1', 'q2', 'q3', 'p']) await consentingProfile(sandbox, `${name}@example.com`);
    const throttled = await h.liveCampaign(newsletter({ throttle: { perSecond: 1 } }), sandbox);
    const recipients = ['q1', 'q2', 'q3', 'p'].map((name) => aep(`${name}@example.com`));
    const first = await h.enqueue(throttled, recipients);
    // p's slot is 3 s away: it has taken its cap place and waits in the delayed set ...
    await waitForDelayed(h, first.deliveryIds[3]!);
    // ... when its campaign is stopped (workers see it within their 2 s status cache).
    await h.store.campaigns.transition(sandbox, throttled.campaignId, { from: ['live'], to: 'stopped' });
    const records = await h.settled(first.executionId, 4, undefined, sandbox);
    expect(records[3]).toMatchObject({ status: 'excluded', reason: 'campaign-not-live' });
    // How many of q2 and q3 went out before the stop was seen depends on timing; the counters must
    // agree with the records either way.
    expect(await countedOutcomes(sandbox, first.executionId, 4)).toEqual(outcomesOf(records));

    const other = await h.liveCampaign(newsletter(), sandbox);
    const second = await h.enqueue(other, [aep('p@example.com')]);
    const [record] = await h.settled(second.executionId, 1, undefined, sandbox);
    expect(record?.status).toBe('sent');
  });
});

async function waitForDelayed(h: WorkerHarness, jobId: string) {
  return waitFor(
    async () => {
      const job = await h.queue('email').getJob(jobId);
      return job && (await job.getState()) === 'delayed' ? job : undefined;
    },
    { timeoutMs: 10_000, description: `job ${jobId} delayed` },
  );
}
