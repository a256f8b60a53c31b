export * from './ports';
export * from './open-store';
