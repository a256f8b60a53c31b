export type Channel = 'email' | 'sms' | 'push';
export const CHANNELS: readonly Channel[] = ['email', 'sms', 'push'];

export type CampaignType = 'transactional' | 'marketing';

export type UnknownProfiles = 'reject' | 'exclude';

export type CampaignStatus = 'draft' | 'scheduled' | 'live' | 'stopped' | 'completed' | 'archived';

export interface EmailChannelConfig {
  fromAddress: string;
  fromName?: string;
  replyTo?: string;
  /** Extra headers (`X-…` only); values must not contain CR/LF. */
  headers?: Record<string, string>;
  tracking?: { opens: boolean; clicks: boolean };
}

export interface SmsChannelConfig {
  /** Sender id or E.164 number. */
  sender: string;
  /**
   * ISO 3166 alpha-2 region national numbers (written without `+`) are read in; overrides the
   * sandbox's `sms.defaultRegion`.
   */
  defaultRegion?: string;
  /** Clicks: the body's http(s) links go out as short tracker links (`/s/<code>`). */
  tracking?: { clicks: boolean };
}

export type PushUrgency = 'very-low' | 'low' | 'normal' | 'high';

export interface PushChannelConfig {
  /**
   * The app the campaign sends for (AJO: the app of the channel surface): the FCM app id or iOS
   * bundle id, or a web app's id. Set: the profiles' device tokens and subscriptions registered for
   * it. Unset: every Web Push subscription of the profile (no mobile device).
   */
  appId?: string;
  /** Seconds the push service keeps an undelivered message (RFC 8030 TTL). */
  ttlSeconds?: number;
  urgency?: PushUrgency;
  defaultUrl?: string;
  defaultIcon?: string;
}

export interface ChannelConfig {
  email?: EmailChannelConfig;
  sms?: SmsChannelConfig;
  push?: PushChannelConfig;
}

/**
 * Content of one locale. E-mail uses subject/html/text; SMS uses body; push uses title, body,
 * url, icon and data. Every string is a Liquid template.
 */
export interface LocaleContent {
  subject?: string;
  html?: string;
  text?: string;
  body?: string;
  title?: string;
  url?: string;
  icon?: string;
  data?: Record<string, string>;
}

export interface CampaignContent {
  defaultLocale: string;
  locales: Record<string, LocaleContent>;
}

/** A JSON Schema object as authored by the campaign author (draft 2020-12 subset ajv accepts). */
export type JsonSchemaObject = Record<string, unknown>;

/** What an author defines; every version of a campaign stores one of these, immutable. */
export interface CampaignDefinition {
  name: string;
  description?: string;
  tags?: string[];
  type: CampaignType;
  channel: Channel;
  channelConfig: ChannelConfig;
  content: CampaignContent;
  contextSchema: JsonSchemaObject;
  identityNamespace: string;
  createProfiles: boolean;
  /**
   * With `createProfiles` off, what a unitary call does with `aep` recipients that have no
   * profile: `reject` the whole call (400, nothing queued), or `exclude` them (`profile-not-found`).
   * Absent means `reject`.
   */
  unknownProfiles?: UnknownProfiles;
  /** Access labels (who may see or edit the campaign). */
  labels?: string[];
  /** Audience of marketing audience sends. */
  audience?: { id: string };
  /** ISO-8601 instants; triggers outside [start, end) are refused. */
  schedule?: { start?: string; end?: string };
  /** Messages per second across all workers, 1..2000. */
  throttle?: { perSecond: number };
  /**
   * Post this campaign's feedback events to the sandbox's webhook subscriptions (AJO's
   * `enableWebhooks`); read from the live version. Absent means false.
   */
  enableWebhooks?: boolean;
}

export interface Campaign {
  id: string;
  sandbox: string;
  status: CampaignStatus;
  /** Newest version; it is the one being edited while the campaign is a draft. */
  latestVersion: number;
  /** Version that trigger calls use; null until the first activation. */
  liveVersion: number | null;
  /** Definition of `latestVersion`. */
  definition: CampaignDefinition;
  createdAt: string;
  updatedAt: string;
}

export interface CampaignVersion {
  campaignId: string;
  sandbox: string;
  version: number;
  definition: CampaignDefinition;
  createdAt: string;
}

/** Content fields that hold one template each (`data` holds a map of them). */
export type TemplateField = Exclude<keyof LocaleContent, 'data'>;
