export * from './logger';
export * from './fatal-handlers';
