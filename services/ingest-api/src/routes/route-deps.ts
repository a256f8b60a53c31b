import type { Logger } from '@herald/logger';
import type { Store } from '@herald/store';

/** What management routers need; each builds its own services from it. */
export interface RouteDeps {
  store: Store;
  logger: Logger;
  maxBodyBytes: number;
  /** Accept user-supplied URLs on loopback/private networks (config ALLOW_PRIVATE_URLS). */
  allowPrivateUrls: boolean;
}
