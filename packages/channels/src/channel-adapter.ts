import type { Channel } from '@herald/contracts';

export interface EmailAddress {
  address: string;
  name?: string;
}

export interface EmailMessage {
  channel: 'email';
  /** Delivery record id: adapters use it to make a re-send after a crash idempotent where they can. */
  deliveryId: string;
  executionId: string;
  from: EmailAddress;
  replyTo?: string;
  to: string;
  subject: string;
  html?: string;
  text?: string;
}

/** What an adapter sends; SMS and push messages join this union in the delivery issue. */
export type OutboundMessage = EmailMessage;

export interface SendResult {
  providerMessageId: string;
}

/**
 * One way out for one or more channels. `send` resolves once the provider has accepted the
 * message, or throws TransientDeliveryError (retry later) or PermanentDeliveryError (never
 * retry) from `@herald/errors`.
 */
export interface ChannelAdapter {
  readonly name: string;
  readonly channels: readonly Channel[];
  send(message: OutboundMessage): Promise<SendResult>;
}
