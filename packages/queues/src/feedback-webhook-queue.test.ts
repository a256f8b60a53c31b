import {
  WEBHOOK_RETRY_WINDOW_MS,
  feedbackEventJobId,
  webhookCallBackoff,
  webhookCallJob,
} from './feedback-webhook-queue';

const event = {
  id: 'exec-1-r0:sent',
  type: 'message.sent' as const,
  sandbox: 'prod',
  campaignId: 'c-1',
  executionId: 'exec-1',
  deliveryId: 'exec-1-r0',
  channel: 'email' as const,
  at: '2026-01-01T00:00:00.000Z',
};

describe('feedback webhook jobs', () => {
  it('derives job ids without the colon BullMQ forbids, one per event and subscription', () => {
    const call = webhookCallJob({ sandbox: 'prod', subscriptionId: 'sub-1', event, now: 0 });
    const other = webhookCallJob({ sandbox: 'prod', subscriptionId: 'sub-2', event, now: 0 });
    const replay = webhookCallJob({ sandbox: 'prod', subscriptionId: 'sub-1', event, now: 0, replay: 3 });

    const ids = [feedbackEventJobId(event.id), call.opts.jobId, other.opts.jobId, replay.opts.jobId];
    for (const id of ids) expect(id).not.toContain(':');
    expect(new Set(ids).size).toBe(4);
    expect(webhookCallJob({ sandbox: 'prod', subscriptionId: 'sub-1', event, now: 5 }).opts.jobId).toBe(
      call.opts.jobId,
    );
  });

  it('retries a call for 24 h after it was queued, and marks by-hand calls', () => {
    const call = webhookCallJob({ sandbox: 'prod', subscriptionId: 'sub-1', event, now: 1000, manual: true });

    expect(call.data).toEqual({
      sandbox: 'prod',
      subscriptionId: 'sub-1',
      event,
      retryUntil: 1000 + WEBHOOK_RETRY_WINDOW_MS,
      manual: true,
    });
    expect(
      webhookCallJob({ sandbox: 'prod', subscriptionId: 'sub-1', event, now: 0 }).data,
    ).not.toHaveProperty('manual');
  });

  it('backs off from 30 s, doubling up to 4 h: about 15 calls fit in 24 h', () => {
    expect([1, 2, 3].map((attempt) => webhookCallBackoff(attempt))).toEqual([30_000, 60_000, 120_000]);
    expect(webhookCallBackoff(20)).toBe(4 * 3600 * 1000);
    let elapsed = 0;
    let calls = 1;
    while (elapsed + webhookCallBackoff(calls) <= WEBHOOK_RETRY_WINDOW_MS) {
      elapsed += webhookCallBackoff(calls);
      calls += 1;
    }
    expect(calls).toBeGreaterThanOrEqual(12);
    expect(calls).toBeLessThanOrEqual(16);
  });
});
