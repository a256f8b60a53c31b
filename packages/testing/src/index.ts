export * from './free-port';
export * from './temp-dir';
export * from './wait-for';
export * from './redis-server';
export * from './service-process';
export * from './test-env';
export * from './campaign-fixtures';
export * from './standins';
