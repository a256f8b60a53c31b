export * from './redis-connection';
export * from './eviction-policy';
export * from './delivery-queue';
export * from './connect-redis';
export * from './delivery-backoff';
export * from './delivery-counters';
