import { TestEnvironment } from 'jest-environment-node';
import { handedOutPrefixes, removeKeysUnder, testRedisUrl } from '@herald/testing';

/**
 * The integration tests' environment: when a test file ends (after its own afterAll hooks
 * stopped its processes), removes every key under the queue prefixes it was handed, so no
 * test leaves keys behind in the Redis at `REDIS_URL`.
 */
export default class RedisCleanupEnvironment extends TestEnvironment {
  override async teardown(): Promise<void> {
    const prefixes = handedOutPrefixes(this.global);
    try {
      await removeKeysUnder(testRedisUrl(process.env), prefixes);
    } finally {
      await super.teardown();
    }
  }
}
