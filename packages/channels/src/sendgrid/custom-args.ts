/**
 * The names of the custom args Herald puts on every SendGrid personalization. SendGrid copies
 * custom args to the top level of each event-webhook event, which is how an event finds its
 * delivery record: the batch writes these names and the event parser reads them.
 */
export const CUSTOM_ARG = {
  sandbox: 'sandbox',
  executionId: 'execution_id',
  deliveryId: 'delivery_id',
} as const;
