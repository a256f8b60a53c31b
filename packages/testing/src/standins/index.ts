export * from './standin-behaviour';
export * from './sendgrid-standin';
export * from './sendgrid-event-webhook';
export * from './twilio-standin';
export * from './smtp-standin';
export * from './push-standin';
