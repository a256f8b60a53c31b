export { MicroBatcher, type BatchDispatcher, type MicroBatcherOptions } from './micro-batcher';
