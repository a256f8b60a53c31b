import { Router } from 'express';
import type { RouteDeps } from './route-deps';

export function audiencesRoutes(_deps: RouteDeps): Router {
  return Router();
}
