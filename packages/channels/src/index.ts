export * from './channel-adapter';
export * from './outbox.adapter';
export * from './header-safety';
