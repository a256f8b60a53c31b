export * from './redis-connection';
export * from './eviction-policy';
export * from './delivery-queue';
export * from './connect-redis';
