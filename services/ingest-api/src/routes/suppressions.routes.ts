import { Router } from 'express';
import type { RouteDeps } from './route-deps';

export function suppressionsRoutes(_deps: RouteDeps): Router {
  return Router();
}
