export { buildApiSchema } from './schema/build-schema.ts';
export { type ApiServer, type ApiServerOptions, startApiServer } from './server.ts';
