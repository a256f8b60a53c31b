export * from './herald-error';
export * from './field-error';
