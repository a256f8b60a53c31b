import { randomBytes } from 'node:crypto';
import { mkdir, open, rename } from 'node:fs/promises';
import path from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import {
  assertEmailExtraHeadersSafe,
  assertEmailHeadersSafe,
  type Channel,
  type EmailMessage,
  type MobilePushMessage,
  type OutboundMessage,
  type PushMessage,
  type SmsMessage,
} from '@herald/contracts';
import { PermanentDeliveryError, TransientDeliveryError } from '@herald/errors';
import type { ChannelAdapter, SendResult } from '../channel-adapter';

const SAFE_FILE_NAME = /^[A-Za-z0-9_.-]{1,200}$/;

/**
 * The zero-setup "provider": writes each message as a file under `<dir>/<channel>/`
 * (`.eml` for e-mail, `.json` for SMS and push). The file is named by delivery id and replaced
 * atomically, so a send repeated after a crash leaves one file, not two.
 */
export class OutboxAdapter implements ChannelAdapter {
  readonly name = 'outbox';
  readonly channels: readonly Channel[] = ['email', 'sms', 'push'];

  constructor(private readonly dir: string) {}

  async send(message: OutboundMessage): Promise<SendResult> {
    if (!SAFE_FILE_NAME.test(message.deliveryId)) {
      throw new PermanentDeliveryError('invalid-delivery-id', 'delivery id is not a safe file name');
    }
    const [extension, content] =
      message.channel === 'email' ? ['eml', await buildEml(message)] : ['json', toJson(message)];
    const folder = path.join(this.dir, message.channel);
    await this.writeAtomically(folder, `${message.deliveryId}.${extension}`, content);
    return { providerMessageId: `outbox:${message.deliveryId}` };
  }

  private async writeAtomically(folder: string, name: string, content: Buffer): Promise<void> {
    const target = path.join(folder, name);
    const temporary = path.join(folder, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await mkdir(folder, { recursive: true });
      const handle = await open(temporary, 'w');
      try {
        await handle.writeFile(content);
        // The job is acknowledged after this returns: the bytes must be on disk by then.
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, target);
      // The rename is durable only once the folder itself is synced.
      const folderHandle = await open(folder, 'r');
      try {
        await folderHandle.sync();
      } finally {
        await folderHandle.close();
      }
    } catch (error) {
      throw new TransientDeliveryError('outbox-write-failed', `cannot write ${target}`, { cause: error });
    }
  }
}

async function buildEml(message: EmailMessage): Promise<Buffer> {
  assertEmailHeadersSafe(message);
  assertEmailExtraHeadersSafe(message.headers);
  const composer = new MailComposer({
    from: message.from.name
      ? { name: message.from.name, address: message.from.address }
      : message.from.address,
    to: message.to,
    replyTo: message.replyTo,
    subject: message.subject,
    html: message.html,
    text: message.text,
    messageId: `<${message.deliveryId}@herald.outbox>`,
    headers: {
      ...message.headers,
      'X-Herald-Execution-Id': message.executionId,
      'X-Herald-Delivery-Id': message.deliveryId,
    },
  });
  return composer.compile().build();
}

/**
 * SMS and push messages (web and mobile) as JSON. A web push subscription's keys are left out:
 * they let anyone who reads the outbox encrypt messages to the device, and a reader of the file
 * needs only the endpoint to tell which device it was for. A mobile device token is kept whole:
 * it is that device's address, as the endpoint is a browser's.
 */
function toJson(message: SmsMessage | PushMessage | MobilePushMessage): Buffer {
  const written =
    message.channel === 'push' && 'subscription' in message
      ? { ...message, subscription: { endpoint: message.subscription.endpoint } }
      : message;
  return Buffer.from(`${JSON.stringify(written, null, 2)}\n`);
}
