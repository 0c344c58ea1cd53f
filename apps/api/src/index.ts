export {
  type ApiControl,
  type ApiControlOptions,
  createApiControl,
  type ImportFile,
} from './control/api-control.ts';
export { type ApiLimits, defaultApiLimits, MAX_PAGE_SIZE } from './limits/api-limits.ts';
export { buildApiSchema } from './schema/build-schema.ts';
export {
  type ApiServer,
  type ApiServerOptions,
  type ApiServerStats,
  startApiServer,
} from './server.ts';
