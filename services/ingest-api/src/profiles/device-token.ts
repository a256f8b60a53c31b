/**
 * A device token as stored and sent: APNs tokens are hex, and apps report them in either case, so
 * they are kept lower-case (one device stored once, and found again when APNs says it is gone).
 * FCM tokens are opaque and case-sensitive: left as given.
 */
export function canonicalDeviceToken(platform: unknown, token: string): string {
  return platform === 'apns' || platform === 'apnsSandbox' ? token.toLowerCase() : token;
}
