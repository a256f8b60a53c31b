export { readinessHandler, type ReadinessCheck } from './readiness';
export { closeHttpServer, stopOnSignals, type GracefulStop } from './stop-on-signals';
