import type { Channel, OutboundMessage } from '@herald/contracts';

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
  /** Releases pooled connections; present on adapters that hold some. */
  close?(): Promise<void>;
}
