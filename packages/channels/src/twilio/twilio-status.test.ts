import { parseTwilioStatus } from './twilio-status';

const query = { sandbox: 'prod', deliveryId: 'e-1-r0' };
const at = new Date('2026-11-24T10:00:00.000Z');

describe('parseTwilioStatus', () => {
  it('makes read an open and failed a bounce named by its status', () => {
    expect(parseTwilioStatus(query, { MessageStatus: 'read', To: '+14155550100' }, at)).toEqual({
      sandbox: 'prod',
      deliveryId: 'e-1-r0',
      address: '+14155550100',
      event: { status: 'opened', at: at.toISOString() },
    });
    expect(parseTwilioStatus(query, { MessageStatus: 'failed', ErrorCode: '30008' }, at)).toEqual({
      sandbox: 'prod',
      deliveryId: 'e-1-r0',
      event: { status: 'bounced', reason: 'failed', detail: 'Twilio error 30008', at: at.toISOString() },
    });
  });

  it("counts a soft bounce only for errors about the recipient's phone (30003, 30004)", () => {
    for (const code of ['30003', '30004']) {
      expect(parseTwilioStatus(query, { MessageStatus: 'undelivered', ErrorCode: code }, at)).toMatchObject({
        event: { status: 'bounced', reason: 'undelivered' },
        softBounce: true,
      });
    }
    for (const code of ['30001', '30002', '30007', '30008', undefined]) {
      const params = { MessageStatus: 'undelivered', ...(code ? { ErrorCode: code } : {}) };
      expect(parseTwilioStatus(query, params, at)).not.toHaveProperty('softBounce');
    }
  });

  it('suppresses a landline or unreachable number (30006)', () => {
    expect(parseTwilioStatus(query, { MessageStatus: 'undelivered', ErrorCode: '30006' }, at)).toMatchObject({
      event: { status: 'bounced', reason: 'hard-bounce' },
      suppress: 'hard-bounce',
    });
  });

  it('records nothing for statuses before the outcome, or without the delivery in the URL', () => {
    for (const status of ['accepted', 'queued', 'sending', 'sent', 'scheduled']) {
      expect(parseTwilioStatus(query, { MessageStatus: status }, at)).toBeUndefined();
    }
    expect(parseTwilioStatus({ sandbox: 'prod' }, { MessageStatus: 'delivered' }, at)).toBeUndefined();
    expect(
      parseTwilioStatus({ ...query, deliveryId: ['a', 'b'] }, { MessageStatus: 'delivered' }, at),
    ).toBeUndefined();
  });
});
