import { Writable } from 'node:stream';
import type { ChannelAdapter } from '@herald/channels';
import type { OutboundMessage } from '@herald/contracts';
import { PermanentDeliveryError, TransientDeliveryError } from '@herald/errors';
import { createLogger } from '@herald/logger';
import {
  BREAKER_FIRST_PROBE_MS,
  BREAKER_MAX_PROBE_MS,
  BREAKER_OPENS_AFTER,
  BREAKER_PROBE_PENDING_MS,
  HeldByBreaker,
  ProviderBreaker,
} from './provider-breaker';

/** A breaker on a clock the test moves, with the log lines it wrote. */
function breakerOnFakeClock() {
  const clock = { now: 1_000_000 };
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger({ level: 'info', service: 'breaker-test', destination });
  const breaker = new ProviderBreaker('email', 'sendgrid', logger, () => clock.now);
  const advance = (ms: number) => (clock.now += ms);
  const open = () => {
    for (let failure = 0; failure < BREAKER_OPENS_AFTER; failure += 1) breaker.failed();
  };
  return {
    breaker,
    advance,
    open,
    lines,
    logged: (msg: RegExp) => lines.filter((line) => msg.test(String(line.msg))),
  };
}

const unavailable = (retryAfterMs?: number) =>
  new TransientDeliveryError('provider-unavailable', 'HTTP 503 from to@example.com', { retryAfterMs });

describe('ProviderBreaker', () => {
  it('lets failures before the threshold use attempts, and an accepted message resets the count', () => {
    const { breaker } = breakerOnFakeClock();
    for (let failure = 1; failure < BREAKER_OPENS_AFTER; failure += 1) expect(breaker.failed()).toBe(false);
    breaker.succeeded();
    for (let failure = 1; failure < BREAKER_OPENS_AFTER; failure += 1) expect(breaker.failed()).toBe(false);
    expect(breaker.admit()).toEqual({ kind: 'send' });
  });

  it('opens on the threshold failure, which keeps its attempt, and holds jobs until the first probe', () => {
    const { breaker, advance, logged } = breakerOnFakeClock();
    for (let failure = 1; failure < BREAKER_OPENS_AFTER; failure += 1) breaker.failed();
    expect(breaker.failed()).toBe(true);
    expect(breaker.admit()).toEqual({ kind: 'hold', waitMs: BREAKER_FIRST_PROBE_MS });
    // A job already in flight that fails now keeps its attempt and moves the probe no later.
    advance(2000);
    expect(breaker.failed()).toBe(true);
    expect(breaker.admit()).toEqual({ kind: 'hold', waitMs: BREAKER_FIRST_PROBE_MS - 2000 });
    expect(logged(/breaker opened/)).toEqual([
      expect.objectContaining({
        level: 'warn',
        channel: 'email',
        provider: 'sendgrid',
        failures: BREAKER_OPENS_AFTER,
        probeInMs: BREAKER_FIRST_PROBE_MS,
      }),
    ]);
  });

  it('lets one probe through when the wait is over and holds the other jobs while it runs', () => {
    const { breaker, advance, open } = breakerOnFakeClock();
    open();
    advance(BREAKER_FIRST_PROBE_MS);
    expect(breaker.admit()).toEqual({ kind: 'probe' });
    expect(breaker.admit()).toEqual({ kind: 'hold', waitMs: BREAKER_PROBE_PENDING_MS });
    expect(breaker.admit()).toEqual({ kind: 'hold', waitMs: BREAKER_PROBE_PENDING_MS });
  });

  it('closes when the probe is accepted, and counts anew from there', () => {
    const { breaker, advance, open, logged } = breakerOnFakeClock();
    open();
    advance(BREAKER_FIRST_PROBE_MS);
    breaker.admit();
    breaker.succeeded();
    breaker.probeEnded();
    expect(breaker.admit()).toEqual({ kind: 'send' });
    expect(breaker.failed()).toBe(false);
    expect(logged(/breaker closed/)).toEqual([
      expect.objectContaining({ level: 'info', channel: 'email', openForMs: BREAKER_FIRST_PROBE_MS }),
    ]);
  });

  it('stays open after a failed probe (which uses its attempt), doubling the wait up to the cap, and resets it once closed', () => {
    const { breaker, advance, open, logged } = breakerOnFakeClock();
    open();
    const waits: number[] = [];
    let wait = BREAKER_FIRST_PROBE_MS;
    for (let probe = 0; probe < 6; probe += 1) {
      advance(wait);
      expect(breaker.admit()).toEqual({ kind: 'probe' });
      // The failed probe uses its attempt, so a message that always fails cannot probe forever.
      expect(breaker.failed()).toBe(false);
      breaker.probeEnded();
      const held = breaker.admit();
      if (held.kind !== 'hold') throw new Error(`expected a hold, got ${held.kind}`);
      wait = held.waitMs;
      waits.push(wait);
    }
    expect(waits).toEqual([
      10_000,
      20_000,
      40_000,
      BREAKER_MAX_PROBE_MS,
      BREAKER_MAX_PROBE_MS,
      BREAKER_MAX_PROBE_MS,
    ]);
    expect(logged(/probe failed/)).toHaveLength(6);

    advance(wait);
    breaker.admit();
    breaker.succeeded();
    open();
    expect(breaker.admit()).toEqual({ kind: 'hold', waitMs: BREAKER_FIRST_PROBE_MS });
  });

  it('lets the next job probe when the probe ended without reaching the provider', () => {
    const { breaker, advance, open } = breakerOnFakeClock();
    open();
    advance(BREAKER_FIRST_PROBE_MS);
    expect(breaker.admit()).toEqual({ kind: 'probe' });
    breaker.probeEnded();
    expect(breaker.admit()).toEqual({ kind: 'probe' });
  });

  it("probes no sooner than the provider's Retry-After, within the cap", () => {
    const { breaker } = breakerOnFakeClock();
    for (let failure = 1; failure < BREAKER_OPENS_AFTER; failure += 1) breaker.failed();
    breaker.failed(30_000);
    expect(breaker.admit()).toEqual({ kind: 'hold', waitMs: 30_000 });

    const capped = breakerOnFakeClock();
    for (let failure = 1; failure < BREAKER_OPENS_AFTER; failure += 1) capped.breaker.failed();
    capped.breaker.failed(3_600_000);
    expect(capped.breaker.admit()).toEqual({ kind: 'hold', waitMs: BREAKER_MAX_PROBE_MS });
  });

  describe('watch', () => {
    const message = { channel: 'email', deliveryId: 'd-1' } as unknown as OutboundMessage;
    const adapterAnswering = (answers: Array<Error | 'accepted'>): ChannelAdapter => ({
      name: 'sendgrid',
      channels: ['email'],
      send: async () => {
        const answer = answers.shift();
        if (answer instanceof Error) throw answer;
        return { providerMessageId: 'm-1' };
      },
    });

    it('passes failures through until the breaker opens, then holds the job back', async () => {
      const { breaker } = breakerOnFakeClock();
      const failures = Array.from({ length: BREAKER_OPENS_AFTER }, () => unavailable());
      const adapter = breaker.watch(adapterAnswering(failures));
      for (let failure = 1; failure < BREAKER_OPENS_AFTER; failure += 1) {
        await expect(adapter.send(message)).rejects.toBeInstanceOf(TransientDeliveryError);
      }
      const held = adapter.send(message);
      await expect(held).rejects.toBeInstanceOf(HeldByBreaker);
      await expect(held).rejects.toMatchObject({ cause: expect.any(TransientDeliveryError) });
    });

    it('closes on an accepted message and leaves refusals out of the count', async () => {
      const { breaker, advance, open } = breakerOnFakeClock();
      const refused = new PermanentDeliveryError('provider-rejected', 'HTTP 400');
      const adapter = breaker.watch(
        adapterAnswering([
          refused,
          'accepted',
          ...Array.from({ length: BREAKER_OPENS_AFTER - 1 }, () => refused),
        ]),
      );
      open();
      advance(BREAKER_FIRST_PROBE_MS);
      breaker.admit();
      await expect(adapter.send(message)).rejects.toBe(refused);
      expect(breaker.admit()).toEqual({ kind: 'hold', waitMs: BREAKER_PROBE_PENDING_MS });
      await expect(adapter.send(message)).resolves.toEqual({ providerMessageId: 'm-1' });
      expect(breaker.admit()).toEqual({ kind: 'send' });
      for (let refusal = 1; refusal < BREAKER_OPENS_AFTER; refusal += 1) {
        await expect(adapter.send(message)).rejects.toBe(refused);
      }
      expect(breaker.failed()).toBe(false);
    });
  });
});
