import type { Logger } from '@herald/logger';
import type { Store } from '@herald/store';

/** What management routers need; each builds its own services from it. */
export interface RouteDeps {
  store: Store;
  logger: Logger;
  maxBodyBytes: number;
}
