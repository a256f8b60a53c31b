import { Router } from 'express';
import type { RouteDeps } from './route-deps';

export function profilesRoutes(_deps: RouteDeps): Router {
  return Router();
}
