import type { MobilePushMessage, PushPayload } from '@herald/contracts';

/** The part of an FCM v1 `Message` that counts towards its 4096-byte limit: what the device receives. */
export interface FcmContent {
  notification: { title: string; body: string };
  /** FCM data values must be strings; the click-through URL and icon travel here. */
  data?: Record<string, string>;
}

/** FCM v1 `Message` (projects.messages resource) for one device token. */
export interface FcmMessage extends FcmContent {
  token: string;
  android?: { ttl?: string; priority: 'HIGH' | 'NORMAL' };
}

export function fcmContent(payload: PushPayload): FcmContent {
  const data: Record<string, string> = { ...payload.data };
  if (payload.url !== undefined) data.url = payload.url;
  if (payload.icon !== undefined) data.icon = payload.icon;
  return {
    notification: { title: payload.title, body: payload.body },
    ...(Object.keys(data).length > 0 ? { data } : {}),
  };
}

export function fcmMessage(message: MobilePushMessage): FcmMessage {
  return {
    token: message.device.token,
    ...fcmContent(message.payload),
    android: {
      priority: message.urgency === 'high' ? 'HIGH' : 'NORMAL',
      ...(message.ttlSeconds === undefined ? {} : { ttl: `${message.ttlSeconds}s` }),
    },
  };
}
