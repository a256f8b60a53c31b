import type { ChannelAdapter, SendResult } from '@herald/channels';
import type { MobilePushPlatform, OutboundMessage } from '@herald/contracts';

export interface PushRoutes {
  /** Browsers (Web Push subscriptions). */
  web: ChannelAdapter;
  fcm: ChannelAdapter;
  /** APNs production and sandbox devices: one adapter, which picks the host by platform. */
  apns: ChannelAdapter;
}

const ROUTE_OF: Record<MobilePushPlatform, keyof Omit<PushRoutes, 'web'>> = {
  fcm: 'fcm',
  apns: 'apns',
  apnsSandbox: 'apns',
};

/**
 * The push channel's adapter: a browser subscription goes to Web Push, a mobile device to FCM or
 * APNs by its platform; each is the outbox when its provider is not configured. It holds no
 * connection of its own: whoever built the routes closes them.
 */
export class PushRouter implements ChannelAdapter {
  readonly name = 'push-router';
  readonly channels = ['push'] as const;

  constructor(private readonly routes: PushRoutes) {}

  send(message: OutboundMessage): Promise<SendResult> {
    const route = 'device' in message ? ROUTE_OF[message.device.platform] : 'web';
    return this.routes[route].send(message);
  }
}
