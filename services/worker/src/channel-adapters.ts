import { readFileSync } from 'node:fs';
import {
  ApnsAdapter,
  FcmAdapter,
  OutboxAdapter,
  SendGridAdapter,
  SmtpAdapter,
  TwilioAdapter,
  WebPushAdapter,
  type ChannelAdapter,
} from '@herald/channels';
import type { HeraldConfig } from '@herald/config';
import type { Channel } from '@herald/contracts';
import { PushRouter } from './push-router';

export interface ChannelAdapters {
  forChannel(channel: Channel): ChannelAdapter;
  /** Closes pooled connections of the adapters that hold any. */
  close(): Promise<void>;
}

/** The provider of each channel, as configured; the outbox is shared by the channels that use it. */
export function createChannelAdapters(config: HeraldConfig): ChannelAdapters {
  const { providers } = config;
  const timeoutMs = providers.timeoutMs;
  const outbox = new OutboxAdapter(config.outbox.dir);
  const email = providers.email;
  const sms = providers.sms;
  const push = providers.push;
  const web: ChannelAdapter =
    push.kind === 'webpush'
      ? new WebPushAdapter({
          vapid: {
            publicKey: push.vapidPublicKey,
            privateKey: push.vapidPrivateKey,
            subject: push.vapidSubject,
          },
          timeoutMs,
          allowPrivateUrls: config.allowPrivateUrls,
        })
      : outbox;
  const fcm: ChannelAdapter = providers.fcm ? new FcmAdapter({ ...providers.fcm, timeoutMs }) : outbox;
  const apns: ChannelAdapter = providers.apns
    ? new ApnsAdapter({
        teamId: providers.apns.teamId,
        keyId: providers.apns.keyId,
        privateKey: providers.apns.privateKey,
        productionUrl: providers.apns.productionUrl,
        sandboxUrl: providers.apns.sandboxUrl,
        ...(providers.apns.caFile ? { ca: readFileSync(providers.apns.caFile, 'utf8') } : {}),
        timeoutMs,
      })
    : outbox;
  const adapters: Record<Channel, ChannelAdapter> = {
    email:
      email.kind === 'sendgrid'
        ? new SendGridAdapter({
            apiKey: email.apiKey,
            baseUrl: email.apiUrl,
            timeoutMs,
            maxBatchSize: email.maxBatchSize,
            batchWindowMs: email.batchWindowMs,
          })
        : email.kind === 'smtp'
          ? new SmtpAdapter({ url: email.url, timeoutMs })
          : outbox,
    sms:
      sms.kind === 'twilio'
        ? new TwilioAdapter({
            accountSid: sms.accountSid,
            authToken: sms.authToken,
            baseUrl: sms.apiUrl,
            ...(sms.statusCallbackUrl ? { statusCallbackUrl: sms.statusCallbackUrl } : {}),
            timeoutMs,
          })
        : outbox,
    push: new PushRouter({ web, fcm, apns }),
  };
  const owned = new Set([adapters.email, adapters.sms, web, fcm, apns]);
  return {
    forChannel: (channel) => adapters[channel],
    close: async () => {
      await Promise.all([...owned].map((adapter) => adapter.close?.()));
    },
  };
}
