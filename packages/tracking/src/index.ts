export {
  LINK_LIFETIME_SECONDS,
  MIRROR_LIFETIME_SECONDS,
  type TrackedAction,
  type TrackingClaims,
} from './claims';
export { MIN_TRACKING_KEY_LENGTH, TrackingTokens } from './tokens';
export { TRACKER_PATHS, serviceLinks, trackerUrl, type TrackingContext } from './links';
export { instrumentEmailHtml, type TrackedLink } from './instrument-email-html';
export {
  MACHINE_CLICK_WINDOW_SECONDS,
  MACHINE_OPEN_WINDOW_SECONDS,
  MACHINE_USER_AGENTS,
  isMachineHit,
} from './machine-hits';
export {
  SHORT_CODE_LENGTH,
  SHORT_LINK_PATH,
  isShortCode,
  newShortCode,
  shortLinkUrl,
  shortenSmsLinks,
  smsTextAsShortened,
  type SmsShortLink,
} from './sms-links';
