import { startSendGridStandin, type SendGridStandin } from './sendgrid-standin';

describe('SendGrid stand-in with several personalizations', () => {
  let standin: SendGridStandin;
  const seen: string[] = [];

  beforeAll(async () => {
    standin = await startSendGridStandin({ onAccepted: (mail) => seen.push(mail.to) });
  });
  afterAll(() => standin.close());

  const post = async (body: unknown): Promise<{ status: number; body: string; messageId: string | null }> => {
    const response = await fetch(`${standin.url}/v3/mail/send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${standin.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      body: await response.text(),
      messageId: response.headers.get('x-message-id'),
    };
  };
  const personalization = (n: number, substitutions: Record<string, string> = {}) => ({
    to: [{ email: `r${n}@example.com` }],
    subject: `Subject -n- ${n}`,
    custom_args: { delivery_id: `d${n}` },
    substitutions,
  });

  it('records one mail per personalization with its substitutions applied to content and subject', async () => {
    const before = { accepted: standin.acceptedCount, requests: standin.requestCount };
    const answer = await post({
      from: { email: 'shop@example.com' },
      content: [
        { type: 'text/plain', value: 'Hi -n-, -n-!' },
        { type: 'text/html', value: '<p>-html-</p>' },
      ],
      custom_args: { execution_id: 'e1' },
      personalizations: [
        personalization(1, { '-n-': 'Ada', '-html-': 'A' }),
        personalization(2, { '-n-': 'Bob' }),
      ],
    });
    expect(answer.status).toBe(202);
    expect(standin.acceptedCount - before.accepted).toBe(2);
    expect(standin.requestCount - before.requests).toBe(1);
    expect(standin.accepted.slice(-2)).toEqual([
      {
        messageId: answer.messageId,
        to: 'r1@example.com',
        from: 'shop@example.com',
        subject: 'Subject Ada 1',
        text: 'Hi Ada, Ada!',
        html: '<p>A</p>',
        customArgs: { execution_id: 'e1', delivery_id: 'd1' },
        acceptedAt: expect.any(Number),
      },
      expect.objectContaining({ to: 'r2@example.com', subject: 'Subject Bob 2', text: 'Hi Bob, Bob!' }),
    ]);
    expect(seen.slice(-2)).toEqual(['r1@example.com', 'r2@example.com']);
  });

  it("keeps the message's and the personalization's headers, the personalization's winning", async () => {
    const answer = await post({
      from: { email: 'shop@example.com' },
      content: [{ type: 'text/plain', value: 'hi' }],
      headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click', 'X-Campaign': 'message' },
      personalizations: [
        {
          ...personalization(1),
          headers: { 'List-Unsubscribe': '<https://t.example.com/u/1>', 'X-Campaign': 'r1' },
        },
        personalization(2),
      ],
    });
    expect(answer.status).toBe(202);
    expect(standin.accepted.slice(-2).map((mail) => mail.headers)).toEqual([
      {
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        'List-Unsubscribe': '<https://t.example.com/u/1>',
        'X-Campaign': 'r1',
      },
      { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click', 'X-Campaign': 'message' },
    ]);
  });

  it.each([
    ['message', { headers: { 'reply-to': 'x@example.com' } }, {}, 'headers'],
    ['personalization', {}, { headers: { 'X-SG-ID': 'forged' } }, 'personalizations.0.headers'],
  ])(
    'refuses a header SendGrid reserves at %s level with its 400, naming the field',
    async (_level, atMessage, atPersonalization, field) => {
      const before = standin.acceptedCount;
      const answer = await post({
        from: { email: 'shop@example.com' },
        content: [{ type: 'text/plain', value: 'hi' }],
        ...atMessage,
        personalizations: [{ ...personalization(1), ...atPersonalization }],
      });
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toEqual({
        errors: [{ field, message: expect.stringContaining('reserved'), help: null }],
      });
      expect(standin.acceptedCount).toBe(before);
    },
  );

  it('refuses a header value that is not a string', async () => {
    const answer = await post({
      from: { email: 'shop@example.com' },
      content: [{ type: 'text/plain', value: 'hi' }],
      headers: { 'X-Count': 3 },
      personalizations: [personalization(1)],
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ errors: [{ field: 'headers.X-Count' }] });
  });

  it('refuses a personalization whose substitutions exceed 10,000 bytes, naming it', async () => {
    const answer = await post({
      from: { email: 'shop@example.com' },
      content: [{ type: 'text/plain', value: '-x-' }],
      personalizations: [
        personalization(1, { '-x-': 'ok' }),
        personalization(2, { '-x-': 'é'.repeat(5000) }),
      ],
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({
      errors: [{ field: 'personalizations.1.substitutions' }],
    });
  });

  it('counts substitutions as sent, JSON-encoded: 8,000 raw bytes of HTML with quotes and newlines are too many', async () => {
    // 2,000 × 4 raw bytes = 8,000, under the limit as raw text; each `"` and newline takes two once encoded.
    const html = '<a href="x">\n'.repeat(1) + '"\n"\n'.repeat(2000);
    expect(Buffer.byteLength(html, 'utf8')).toBeLessThan(10_000);
    const answer = await post({
      from: { email: 'shop@example.com' },
      content: [{ type: 'text/plain', value: '-x-' }],
      personalizations: [personalization(1, { '-x-': html })],
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({
      errors: [{ field: 'personalizations.0.substitutions' }],
    });
  });

  it('refuses a request naming one address in two personalizations, whatever its case', async () => {
    const twice = (a: string, b: string) =>
      post({
        from: { email: 'shop@example.com' },
        subject: 'Hi',
        content: [{ type: 'text/plain', value: 'hi' }],
        personalizations: [{ to: [{ email: a }] }, { to: [{ email: b }] }],
      });
    const same = await twice('dup@example.com', 'dup@example.com');
    expect(same.status).toBe(400);
    expect(JSON.parse(same.body)).toMatchObject({ errors: [{ field: 'personalizations.1.to.0.email' }] });
    expect((await twice('Case@example.com', 'case@example.com')).status).toBe(400);
    expect((await twice('one@example.com', 'two@example.com')).status).toBe(202);
  });

  it('refuses more than 1,000 personalizations', async () => {
    const answer = await post({
      from: { email: 'shop@example.com' },
      content: [{ type: 'text/plain', value: 'hi' }],
      personalizations: Array.from({ length: 1001 }, (_, n) => personalization(n)),
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ errors: [{ field: 'personalizations' }] });
  });

  it('refuses a personalization without a subject when the message has none', async () => {
    const { subject: _subject, ...noSubject } = personalization(2);
    const answer = await post({
      from: { email: 'shop@example.com' },
      content: [{ type: 'text/plain', value: 'hi' }],
      personalizations: [personalization(1), noSubject],
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ errors: [{ field: 'subject' }] });
  });
});
