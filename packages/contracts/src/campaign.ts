export type Channel = 'email' | 'sms' | 'push';
export const CHANNELS: readonly Channel[] = ['email', 'sms', 'push'];

export type CampaignType = 'transactional' | 'marketing';

export type CampaignStatus = 'draft' | 'scheduled' | 'live' | 'stopped' | 'completed' | 'archived';

export interface EmailChannelConfig {
  fromAddress: string;
  fromName?: string;
  replyTo?: string;
}

export interface ChannelConfig {
  email?: EmailChannelConfig;
}

/** Content of one locale. Email uses subject/html/text; later channels add their own fields. */
export interface LocaleContent {
  subject?: string;
  html?: string;
  text?: string;
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
