export * from './template-engine';
export * from './template-error';
export * from './context-variables';
export * from './pooled-template-engine';
