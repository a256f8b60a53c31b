export * from './error-codes';
export * from './herald-error';
export * from './field-error';
