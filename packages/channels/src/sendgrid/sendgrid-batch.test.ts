import {
  MAX_SUBSTITUTION_BYTES,
  batchKey,
  fitsInBatch,
  withUniqueAddresses,
  newSubstitutionTags,
  toBatchRequestBody,
  toSingleMailData,
} from './sendgrid-batch';
import { emailMessage } from '../test-support/messages';

const message = emailMessage({ replyTo: 'support@example.com' });

describe('batchKey', () => {
  it('is the same for messages differing only in what a personalization carries', () => {
    const other = {
      ...message,
      deliveryId: 'exec-2-r5',
      executionId: 'exec-2',
      to: 'bob@example.com',
      subject: 'Hello Bob',
      html: '<p>Bob</p>',
      text: 'Bob',
    };
    expect(batchKey(other)).toBe(batchKey(message));
  });

  it.each([
    ['sender address', { from: { address: 'other@example.com', name: 'Herald' } }],
    ['sender name', { from: { address: 'hello@example.com', name: 'Other' } }],
    ['reply-to', { replyTo: undefined }],
    ['content types', { text: undefined }],
  ])('differs when the %s differs', (_what, change) => {
    expect(batchKey({ ...message, ...change })).not.toBe(batchKey(message));
  });
});

describe('fitsInBatch', () => {
  const tags = newSubstitutionTags();
  /** The substitutions object as it travels, JSON-encoded, with `html` as its HTML. */
  const encodedBytes = (html: string) =>
    Buffer.byteLength(JSON.stringify({ [tags.text]: message.text, [tags.html]: html }), 'utf8');

  it('counts the substitutions as SendGrid does, JSON-encoded in UTF-8 bytes, against the 10,000-byte limit', () => {
    const room = MAX_SUBSTITUTION_BYTES - encodedBytes('');
    expect(fitsInBatch({ ...message, html: 'x'.repeat(room) }, tags)).toBe(true);
    expect(fitsInBatch({ ...message, html: 'x'.repeat(room + 1) }, tags)).toBe(false);
    // "é" is two bytes: half as many characters fit.
    expect(fitsInBatch({ ...message, html: 'é'.repeat(Math.floor(room / 2) + 1) }, tags)).toBe(false);
    // A quote travels as two bytes (\"): half as many fit, though the raw text is under the limit.
    expect(fitsInBatch({ ...message, html: '"'.repeat(Math.floor(room / 2) + 1) }, tags)).toBe(false);
  });
});

describe('withUniqueAddresses', () => {
  it('splits a batch so that each request names an address once, without case, keeping order', () => {
    const to = (address: string) => ({ to: address });
    const batch = [to('a@x.com'), to('dup@x.com'), to('DUP@x.com'), to('b@x.com'), to('dup@x.com')];
    expect(withUniqueAddresses(batch)).toEqual([[batch[0], batch[1], batch[3]], [batch[2]], [batch[4]]]);
    expect(withUniqueAddresses([to('a@x.com'), to('b@x.com')])).toEqual([[to('a@x.com'), to('b@x.com')]]);
  });
});

describe('newSubstitutionTags', () => {
  it('gives each adapter its own tags, one per content type', () => {
    const first = newSubstitutionTags();
    const second = newSubstitutionTags();
    expect(first.text).not.toBe(first.html);
    expect(second.text).not.toBe(first.text);
  });
});

describe('toBatchRequestBody', () => {
  const tags = newSubstitutionTags();

  it('puts the tags in the content and each message in its own personalization, in the wire format', () => {
    const bob = {
      ...message,
      deliveryId: 'exec-1-r1',
      to: 'bob@example.com',
      subject: 'Hi Bob',
      text: 'Bob',
    };
    const data = toBatchRequestBody([message, { ...bob, html: '<p>Bob</p>' }], tags);
    expect(data).toMatchObject({
      from: { email: 'hello@example.com', name: 'Herald' },
      reply_to: { email: 'support@example.com' },
      content: [
        { type: 'text/plain', value: tags.text },
        { type: 'text/html', value: tags.html },
      ],
    });
    expect(data.personalizations).toEqual([
      {
        to: [{ email: 'ada@example.com' }],
        subject: 'Hello Ada',
        custom_args: { sandbox: 'prod', execution_id: 'exec-1', delivery_id: 'exec-1-r0' },
        substitutions: { [tags.text]: 'Hi Ada', [tags.html]: '<p>Hi Ada</p>' },
      },
      {
        to: [{ email: 'bob@example.com' }],
        subject: 'Hi Bob',
        custom_args: { sandbox: 'prod', execution_id: 'exec-1', delivery_id: 'exec-1-r1' },
        substitutions: { [tags.text]: 'Bob', [tags.html]: '<p>Bob</p>' },
      },
    ]);
  });

  it("puts each message's extra headers in its own personalization, and none where it has none", () => {
    const headers = { 'List-Unsubscribe': '<https://t.example.com/u/ada>' };
    const data = toBatchRequestBody(
      [
        { ...message, headers },
        { ...message, to: 'bob@example.com' },
      ],
      tags,
    );
    expect(data.personalizations[0]?.headers).toEqual(headers);
    expect(data.personalizations[1]).not.toHaveProperty('headers');
    expect(data).not.toHaveProperty('headers');
  });

  it('has only the content types the messages have', () => {
    const data = toBatchRequestBody([{ ...message, html: undefined, replyTo: undefined }], tags);
    expect(data.content).toEqual([{ type: 'text/plain', value: tags.text }]);
    expect(data).not.toHaveProperty('reply_to');
    expect(data.personalizations[0]?.substitutions).toEqual({ [tags.text]: 'Hi Ada' });
  });
});

describe('toSingleMailData', () => {
  it('sends the bodies as they are, without substitutions', () => {
    expect(toSingleMailData(message)).toEqual({
      from: { email: 'hello@example.com', name: 'Herald' },
      replyTo: 'support@example.com',
      to: 'ada@example.com',
      subject: 'Hello Ada',
      content: [
        { type: 'text/plain', value: 'Hi Ada' },
        { type: 'text/html', value: '<p>Hi Ada</p>' },
      ],
      customArgs: { sandbox: 'prod', execution_id: 'exec-1', delivery_id: 'exec-1-r0' },
    });
  });

  it('carries the extra headers', () => {
    const headers = { 'List-Unsubscribe': '<https://t.example.com/u/ada>' };
    expect(toSingleMailData({ ...message, headers })).toMatchObject({ headers });
  });
});
