import { MOBILE_PUSH_PLATFORMS, type MobilePushPlatform, type PushPayload } from '@herald/contracts';
import { apnsPayload } from './apns/apns-payload';
import { fcmContent } from './fcm/fcm-message';

/** FCM (for messages to tokens) and APNs both refuse a notification payload over 4 KB. */
export const MOBILE_PUSH_MAX_PAYLOAD_BYTES = 4096;

/**
 * Bytes of the payload as `platform` receives it, or of the largest over all platforms when none
 * is named (what a campaign must fit before it knows its devices).
 */
export function mobilePushPayloadBytes(payload: PushPayload, platform?: MobilePushPlatform): number {
  if (platform === undefined) {
    return Math.max(...MOBILE_PUSH_PLATFORMS.map((each) => mobilePushPayloadBytes(payload, each)));
  }
  const sent = platform === 'fcm' ? fcmContent(payload) : apnsPayload(payload);
  return Buffer.byteLength(JSON.stringify(sent));
}

/** True when the payload fits every mobile platform (or `platform` alone). */
export function mobilePushPayloadFits(payload: PushPayload, platform?: MobilePushPlatform): boolean {
  return mobilePushPayloadBytes(payload, platform) <= MOBILE_PUSH_MAX_PAYLOAD_BYTES;
}
