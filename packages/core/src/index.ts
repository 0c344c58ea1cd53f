export { type Config, envSchema, loadConfig } from './config/env.ts';
export * from './domain/backend.ts';
export * from './domain/run.ts';
export { ConfigError, KdlensError, WarehouseError } from './errors.ts';
export { onShutdown } from './lifecycle/on-shutdown.ts';
export { createLogger, type Logger } from './log/logger.ts';
