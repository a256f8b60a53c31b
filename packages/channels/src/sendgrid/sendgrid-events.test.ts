import { ValidationError } from '@herald/errors';
import { MAX_SENDGRID_EVENTS, parseSendGridEvents } from './sendgrid-events';

const ids = { sandbox: 'prod', execution_id: 'e-1', delivery_id: 'e-1-r0' };

describe('parseSendGridEvents', () => {
  it('makes a dropped message bounced with its reason, without suppressing it', () => {
    const { feedback } = parseSendGridEvents([
      {
        ...ids,
        event: 'dropped',
        timestamp: 1_790_000_000,
        reason: 'Bounced Address',
        email: 'a@example.com',
      },
    ]);
    expect(feedback).toEqual([
      {
        sandbox: 'prod',
        deliveryId: 'e-1-r0',
        address: 'a@example.com',
        event: {
          status: 'bounced',
          reason: 'dropped',
          detail: 'Bounced Address',
          at: '2026-09-21T14:13:20.000Z',
        },
      },
    ]);
  });

  it('ignores malformed entries and events without Herald ids, counting them', () => {
    const parsed = parseSendGridEvents([
      null,
      'delivered',
      [],
      { event: 'delivered', timestamp: 1 },
      { ...ids, delivery_id: '', event: 'delivered' },
      { ...ids, event: 42 },
      { ...ids, event: 'delivered' },
    ]);
    expect(parsed.ignored).toBe(6);
    expect(parsed.feedback).toHaveLength(1);
  });

  it('takes the time of receipt for an event without a usable timestamp', () => {
    const before = Date.now();
    const [item] = parseSendGridEvents([{ ...ids, event: 'open', timestamp: 'yesterday' }]).feedback;
    expect(Date.parse(item?.event?.at ?? '')).toBeGreaterThanOrEqual(before - 1000);
  });

  it('refuses a body that is not an array, or more events than SendGrid ever batches', () => {
    expect(() => parseSendGridEvents({ event: 'open' })).toThrow(ValidationError);
    expect(() => parseSendGridEvents(new Array(MAX_SENDGRID_EVENTS + 1).fill({}))).toThrow(
      /At most 10000 events/,
    );
  });
});
