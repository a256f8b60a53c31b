import { maskAddressesInText, maskEmail, maskPhone, redactJobData } from './redact-job-data';

describe('redactJobData', () => {
  const deliveryJob = {
    executionId: 'exec-1',
    deliveryId: 'exec-1-r0',
    sandbox: 'prod',
    campaignId: 'order-shipped',
    campaignVersion: 3,
    channel: 'email',
    recipientIndex: 0,
    queuedAt: '2025-01-01T10:00:00.000Z',
    recipient: {
      type: 'external',
      userId: 'alice@example.com',
      namespace: 'email',
      channelData: { emailAddress: 'alice@example.com', mobilePhoneNumber: '+33612345678' },
      profile: { firstName: 'Alice', lastName: 'Martin', city: 'Lyon' },
      context: { orderId: 'A-1', total: 42 },
    },
  };

  it('masks e-mail addresses and phone numbers, keeping what identifies the job', () => {
    const redacted = redactJobData(deliveryJob) as typeof deliveryJob;
    expect(redacted).toMatchObject({
      executionId: 'exec-1',
      deliveryId: 'exec-1-r0',
      campaignVersion: 3,
      channel: 'email',
      queuedAt: '2025-01-01T10:00:00.000Z',
    });
    expect(redacted.recipient.userId).toBe('a***@example.com');
    expect(redacted.recipient.namespace).toBe('email');
    expect(redacted.recipient.channelData).toEqual({
      emailAddress: 'a***@example.com',
      mobilePhoneNumber: '+33*******78',
    });
  });

  it('replaces the profile and the context by a note of their size, showing none of their values', () => {
    const redacted = redactJobData(deliveryJob) as typeof deliveryJob;
    expect(redacted.recipient.profile).toBe('[redacted: 3 keys]');
    expect(redacted.recipient.context).toBe('[redacted: 2 keys]');
    const shown = JSON.stringify(redacted);
    for (const secret of ['Alice', 'Lyon', 'A-1', 'alice@', '612345678']) expect(shown).not.toContain(secret);
  });

  it('summarises the global context of a fan-out job', () => {
    expect(redactJobData({ executionId: 'e', audienceId: 'vip', context: { coupon: 'X1' } })).toEqual({
      executionId: 'e',
      audienceId: 'vip',
      context: '[redacted: 1 key]',
    });
  });

  it('removes the keys of a push subscription and cuts its endpoint to the push service', () => {
    const redacted = redactJobData({
      recipient: {
        userId: 'u-1',
        channelData: {
          pushInfo: {
            endpoint: 'https://fcm.googleapis.com/fcm/send/subscriber-token',
            keys: { p256dh: 'BPublicKey', auth: 'authSecret' },
            appId: 'shop',
          },
        },
      },
    });
    expect(redacted).toEqual({
      recipient: {
        userId: 'u-1',
        channelData: { pushInfo: { endpoint: 'https://fcm.googleapis.com/…', appId: 'shop' } },
      },
    });
  });

  it("keeps the first characters only of a device token in AJO's pushInfo", () => {
    const pushInfo = { appID: 'com.example.shop', platform: 'apns', token: 'ab'.repeat(32) };
    expect(redactJobData({ channelData: { pushInfo } })).toEqual({
      channelData: { pushInfo: { appID: 'com.example.shop', platform: 'apns', token: 'abab…' } },
    });
  });

  it('masks a phone number used as a user id and leaves other values as they are', () => {
    expect(redactJobData({ userId: '+14155550123', attempts: 2, mode: 'highthroughput', ok: true })).toEqual({
      userId: '+14*******23',
      attempts: 2,
      mode: 'highthroughput',
      ok: true,
    });
    expect(redactJobData(null)).toBeNull();
  });
});

describe('address masks', () => {
  it('keeps the first character and the domain of an e-mail address', () => {
    expect(maskEmail('alice@example.com')).toBe('a***@example.com');
    expect(maskEmail('not-an-address')).toBe('n***');
  });

  it('keeps the country code and the last two digits of a phone number', () => {
    expect(maskPhone('+33 6 12 34 56 78')).toBe('+33*******78');
    expect(maskPhone('0612345678')).toBe('06******78');
    expect(maskPhone('12345')).toBe('*****');
  });

  it('masks addresses inside free text such as an error message', () => {
    expect(
      maskAddressesInText('provider refused alice@example.com and +33 6 12 34 56 78 (HTTP 400, code 21211)'),
    ).toBe('provider refused a***@example.com and +33*******78 (HTTP 400, code 21211)');
  });
});

describe('ids in an address namespace', () => {
  it('masks a userId of the email or phone namespace whatever it looks like', () => {
    const redacted = redactJobData({
      recipient: { type: 'aep', namespace: 'phone', userId: '0612345678' },
      other: { namespace: 'Email', userId: 'jürgen@bücher.de' },
      crm: { namespace: 'crmId', userId: 'CRM-42' },
    }) as Record<string, { userId: string }>;
    expect(redacted.recipient?.userId).toBe('0***');
    expect(redacted.other?.userId).toBe('j***');
    expect(redacted.crm?.userId).toBe('CRM-42');
  });
});
