export * from './choose-locale';
export * from './resolve-address';
export * from './phone-number';
export * from './resolve-push-targets';
export * from './render-message';
export * from './build-message';
export * from './quiet-hours';
export * from './marketing-consent';
