export * from './ports';
export * from './open-store';
export * from './audience-filter';
export * from './safe-regex';
export * from './campaign-versions';
export * from './suppressed-addresses';
export { feedbackOutcome, type FeedbackTarget } from './delivery-feedback';
export { feedbackEventOf } from './engagement-feedback';
export { emailDomainOf } from './email-domain';
