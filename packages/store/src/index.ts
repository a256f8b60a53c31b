export * from './ports';
export * from './open-store';
export * from './audience-filter';
