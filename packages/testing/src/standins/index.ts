export * from './standin-behaviour';
export * from './http-standin';
