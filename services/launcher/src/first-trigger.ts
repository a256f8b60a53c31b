/** The copy-paste walkthrough printed by `npm start` (the README shows the same commands). */
export function firstTriggerInstructions(apiUrl: string, outboxDir: string, adminKeyShell: string): string {
  const campaign = {
    name: 'Welcome',
    type: 'transactional',
    channel: 'email',
    channelConfig: { email: { fromAddress: 'hello@example.com', fromName: 'Herald' } },
    content: {
      defaultLocale: 'en',
      locales: {
        en: {
          subject: 'Hello {{ profile.firstName | default: "there" }}',
          html: '<p>Your order {{ context.orderId }} has shipped.</p>',
          text: 'Your order {{ context.orderId }} has shipped.',
        },
      },
    },
    contextSchema: {
      type: 'object',
      required: ['orderId'],
      properties: { orderId: { type: 'string' } },
    },
    identityNamespace: 'email',
    createProfiles: true,
  };
  const trigger = (campaignIdShell: string): string =>
    JSON.stringify({
      requestId: 'first-trigger-1',
      campaignId: campaignIdShell,
      recipients: [
        {
          type: 'aep',
          userId: 'ada@example.com',
          namespace: 'email',
          profile: { firstName: 'Ada' },
          context: { orderId: 'A-1001' },
        },
      ],
    }).replace(`"${campaignIdShell}"`, `"'"$CAMPAIGN_ID"'"`);
  return [
    '',
    `Herald is running. API: ${apiUrl}   Outbox: ${outboxDir}`,
    '',
    'Send a first trigger (copy and paste into a shell):',
    '',
    `KEY=${adminKeyShell}`,
    `CAMPAIGN_ID=$(curl -s -X POST ${apiUrl}/campaigns -H "authorization: Bearer $KEY" -H 'content-type: application/json' \\`,
    `  -d '${JSON.stringify(campaign)}' \\`,
    `  | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).id')`,
    `curl -s -X POST ${apiUrl}/campaigns/$CAMPAIGN_ID/activate -H "authorization: Bearer $KEY" > /dev/null`,
    `curl -s -X POST ${apiUrl}/im/executions/unitary -H "authorization: Bearer $KEY" -H 'content-type: application/json' \\`,
    `  -d '${trigger('CAMPAIGN')}'`,
    `sleep 1; ls ${outboxDir}/email`,
    '',
    'Press Ctrl-C to stop (jobs in flight are finished first).',
    '',
  ].join('\n');
}
