export * from './config';
export * from './environment-variables';
export * from './load-config';
