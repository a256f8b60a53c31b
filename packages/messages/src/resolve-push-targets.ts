import {
  MOBILE_PUSH_PLATFORMS,
  type DeviceTarget,
  type ExclusionReason,
  type MobilePushPlatform,
  type Profile,
  type PushTarget,
  type Recipient,
} from '@herald/contracts';

/** Where a push goes: a browser (`web`) or a mobile app install. */
export type PushPlatform = 'web' | MobilePushPlatform;
export const PUSH_PLATFORMS: readonly PushPlatform[] = ['web', ...MOBILE_PUSH_PLATFORMS];

/** Every device one push recipient is sent to: browsers and mobile app installs. */
export interface PushTargets {
  subscriptions: PushTarget[];
  devices: DeviceTarget[];
}

export type PushTargetResolution =
  { kind: 'targets'; targets: PushTargets } | { kind: 'excluded'; reason: ExclusionReason };

/** One device named in a call's `channelData.pushInfo`, with the app it says it belongs to. */
export type GivenPushTarget =
  | { platform: 'web'; appId?: string; subscription: PushTarget }
  | { platform: MobilePushPlatform; appId: string; device: DeviceTarget };

/**
 * The devices to push to. The call's `channelData.pushInfo` names one device: AJO's
 * `{appID, platform, token}`, or a browser `PushSubscription` as Herald has always taken it.
 * Otherwise the profile's devices: without an app on the campaign, its Web Push subscriptions;
 * with one, its subscriptions and device tokens registered for that app.
 *
 * Exclusions follow AJO's: `no-push-token-for-app` when the recipient has nothing for the
 * campaign's app (a given device of another app included); `push-platform-mismatch` when the given
 * device is on a platform the profile never registered the app on (a browser for a mobile app).
 * Without an app, nothing to send to stays `no-address`.
 */
export function resolvePushTargets(
  recipient: Recipient,
  profile: Profile | null,
  appId: string | undefined,
): PushTargetResolution {
  const given = givenPushTarget(recipient.channelData?.pushInfo);
  if (given) {
    if (appId !== undefined && given.appId !== undefined && given.appId !== appId) {
      return { kind: 'excluded', reason: 'no-push-token-for-app' };
    }
    const known = appId === undefined ? new Set<PushPlatform>() : appPlatforms(profile, appId);
    if (known.size > 0 && !known.has(given.platform)) {
      return { kind: 'excluded', reason: 'push-platform-mismatch' };
    }
    const targets: PushTargets =
      given.platform === 'web'
        ? { subscriptions: [given.subscription], devices: [] }
        : { subscriptions: [], devices: [given.device] };
    return { kind: 'targets', targets };
  }
  const subscriptions = (profile?.pushSubscriptions ?? [])
    .filter((subscription) => appId === undefined || subscription.appId === appId)
    .map(({ endpoint, keys }) => ({ endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } }));
  const devices = (appId === undefined ? [] : (profile?.pushTokens ?? []))
    .filter((token) => token.appId === appId)
    .map(({ platform, token }) => ({ platform, appId: appId ?? '', token }));
  if (subscriptions.length + devices.length === 0) {
    return { kind: 'excluded', reason: appId === undefined ? 'no-address' : 'no-push-token-for-app' };
  }
  return { kind: 'targets', targets: { subscriptions, devices } };
}

/** The platforms the profile has registered the app on: the ones a given device is held to. */
function appPlatforms(profile: Profile | null, appId: string): Set<PushPlatform> {
  const platforms = new Set<PushPlatform>();
  for (const token of profile?.pushTokens ?? []) if (token.appId === appId) platforms.add(token.platform);
  if ((profile?.pushSubscriptions ?? []).some((subscription) => subscription.appId === appId)) {
    platforms.add('web');
  }
  return platforms;
}

/**
 * `pushInfo` as a device when it has one of the two shapes (its values are checked at the ingest):
 * `{appID, platform, token}` (a `web` token is the browser subscription as JSON), or a browser
 * subscription `{endpoint, keys: {p256dh, auth}}`.
 */
export function givenPushTarget(pushInfo: unknown): GivenPushTarget | undefined {
  if (!isRecord(pushInfo)) return undefined;
  const { appID, platform, token } = pushInfo;
  if (typeof platform !== 'string' && typeof token !== 'string') {
    const subscription = subscriptionOf(pushInfo);
    return subscription ? { platform: 'web', subscription } : undefined;
  }
  if (typeof appID !== 'string' || typeof token !== 'string') return undefined;
  if (platform === 'web') {
    const subscription = subscriptionOf(parseJson(token));
    return subscription ? { platform, appId: appID, subscription } : undefined;
  }
  const mobile = MOBILE_PUSH_PLATFORMS.find((candidate) => candidate === platform);
  return mobile
    ? { platform: mobile, appId: appID, device: { platform: mobile, appId: appID, token } }
    : undefined;
}

function subscriptionOf(value: unknown): PushTarget | undefined {
  if (!isRecord(value) || typeof value.endpoint !== 'string' || !isRecord(value.keys)) return undefined;
  const { p256dh, auth } = value.keys;
  if (typeof p256dh !== 'string' || typeof auth !== 'string') return undefined;
  return { endpoint: value.endpoint, keys: { p256dh, auth } };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
