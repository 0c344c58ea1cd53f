export { createProgressReporter } from './cli/progress.ts';
export * from './engine/index.ts';
export { startWeb, type WebServer, webAppDir } from './serve/start-web.ts';
export * from './study/index.ts';
export * from './worker/index.ts';
