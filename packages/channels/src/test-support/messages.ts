import type {
  DeviceTarget,
  EmailMessage,
  MobilePushMessage,
  PushMessage,
  PushTarget,
  SmsMessage,
} from '@herald/contracts';

/** An e-mail from Herald to Ada; a test passes only what its case is about. */
export function emailMessage(change: Partial<EmailMessage> = {}): EmailMessage {
  return {
    channel: 'email',
    deliveryId: 'exec-1-r0',
    executionId: 'exec-1',
    sandbox: 'prod',
    from: { address: 'hello@example.com', name: 'Herald' },
    to: 'ada@example.com',
    subject: 'Hello Ada',
    html: '<p>Hi Ada</p>',
    text: 'Hi Ada',
    ...change,
  };
}

/** An SMS between the numbers the Twilio stand-in accepts; a test passes only what its case is about. */
export function smsMessage(change: Partial<SmsMessage> = {}): SmsMessage {
  return {
    channel: 'sms',
    deliveryId: 'exec-1-r0',
    executionId: 'exec-1',
    sandbox: 'prod',
    from: '+15005550006',
    to: '+14155550100',
    body: 'Your code is 1234',
    ...change,
  };
}

/** A push message to `subscription`; a test passes only what its case is about. */
export function pushMessage(subscription: PushTarget, change: Partial<PushMessage> = {}): PushMessage {
  return {
    channel: 'push',
    deliveryId: 'exec-1-r0',
    executionId: 'exec-1',
    sandbox: 'prod',
    subscription,
    payload: {
      title: 'Your order shipped',
      body: 'Ada, it arrives Tuesday',
      url: 'https://shop.example/o/1',
    },
    ...change,
  };
}

/** A mobile push to `device`; a test passes only what its case is about. */
export function mobilePushMessage(
  device: DeviceTarget,
  change: Partial<MobilePushMessage> = {},
): MobilePushMessage {
  return {
    channel: 'push',
    deliveryId: 'exec-1-r0',
    executionId: 'exec-1',
    sandbox: 'prod',
    device,
    payload: {
      title: 'Your order shipped',
      body: 'Ada, it arrives Tuesday',
      url: 'https://shop.example/o/1',
      data: { orderId: '1' },
    },
    ...change,
  };
}
