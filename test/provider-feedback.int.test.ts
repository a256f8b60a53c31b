import type { Delivery } from '@herald/contracts';
import { orderShippedCampaign, waitFor } from '@herald/testing';
import { SendGridEventWebhook, type AcceptedMail } from '@herald/channels/test-support';
import { getJson } from './support/herald-processes';
import { orderRecipients, startSystemHarness, type SystemHarness } from './support/system-harness';

/**
 * The feedback loop end to end: the worker sends through the SendGrid stand-in, "SendGrid" posts
 * signed events about those mails to the API, and what they say shows in the records, the report
 * and the next send.
 */
describe('SendGrid feedback, through API and worker processes', () => {
  const sendGrid = new SendGridEventWebhook();
  let system: SystemHarness;
  let campaignId: string;

  beforeAll(async () => {
    system = await startSystemHarness('provider-feedback', {
      sendgrid: true,
      workers: 1,
      env: { SENDGRID_WEBHOOK_PUBLIC_KEY: sendGrid.verificationKey },
    });
    campaignId = await system.createLiveCampaign(orderShippedCampaign());
  });
  afterAll(async () => system?.close());

  const trigger = async (requestId: string, recipients: unknown[]): Promise<string> => {
    const accepted = await system.triggerUnitary({ requestId, campaignId, recipients });
    expect(accepted.status).toBe(202);
    return String(accepted.body.executionId);
  };

  const settled = (executionId: string, count: number): Promise<Delivery[]> =>
    waitFor(
      async () => {
        const page = await system.store.deliveries.listByExecution('prod', executionId);
        const done = page.items.length === count && page.items.every((d) => d.status !== 'queued');
        return done ? page.items : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 50, description: `the outcomes of ${executionId}` },
    );

  const mailTo = (address: string): AcceptedMail => {
    const mail = system.standin.accepted.find((accepted) => accepted.to === address);
    if (!mail) throw new Error(`no mail to ${address}`);
    return mail;
  };

  it('records delivered, opened and bounced, reports them, and suppresses the bounced address', async () => {
    const executionId = await trigger(
      'feedback-1',
      orderRecipients('fb', 3, (index) => `FB-${index}`),
    );
    await settled(executionId, 3);
    const [first, second, third] = ['fb-0', 'fb-1', 'fb-2'].map((id) => mailTo(`${id}@example.com`));
    const answer = await sendGrid.post(`${system.apiUrl}/webhooks/sendgrid`, [
      sendGrid.eventFor(first!, 'delivered'),
      sendGrid.eventFor(second!, 'delivered'),
      sendGrid.eventFor(second!, 'open'),
      sendGrid.eventFor(third!, 'bounce', { type: 'bounce', reason: '550 5.1.1 unknown user' }),
    ]);
    expect(answer).toEqual({
      status: 200,
      body: { received: 4, applied: 4, unchanged: 0, unknown: 0, ignored: 0, suppressed: 1 },
    });

    const records = await system.store.deliveries.listByExecution('prod', executionId);
    expect(records.items.map((record) => [record.status, record.reason ?? null])).toEqual([
      ['delivered', null],
      ['opened', null],
      ['bounced', 'hard-bounce'],
    ]);
    const report = await getJson(`${system.apiUrl}/executions/${executionId}`);
    expect(report.body.counts).toMatchObject({ sent: 3, delivered: 2, opened: 1, bounced: 1, failed: 0 });

    // The next message to the bounced address is never sent.
    const next = await trigger(
      'feedback-2',
      orderRecipients('fb', 3, (index) => `FB-next-${index}`),
    );
    const outcomes = await settled(next, 3);
    expect(outcomes.map((record) => [record.status, record.reason ?? null])).toEqual([
      ['sent', null],
      ['sent', null],
      ['excluded', 'suppressed'],
    ]);
    expect(system.standin.accepted.filter((mail) => mail.to === 'fb-2@example.com')).toHaveLength(1);
  });
});
