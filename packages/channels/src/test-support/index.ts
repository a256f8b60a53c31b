export * from '../sendgrid/test-support/sendgrid-standin';
export * from '../sendgrid/test-support/sendgrid-event-webhook';
export * from '../smtp/test-support/smtp-standin';
export * from '../twilio/test-support/twilio-standin';
export * from '../webpush/test-support/push-standin';
export * from '../fcm/test-support/fcm-standin';
export * from '../apns/test-support/apns-standin';
