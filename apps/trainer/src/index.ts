export { createProgressReporter, type ProgressReporter } from './cli/progress.ts';
export { type DemoSpec, demoExperiment, demoSpec } from './demo/demo-experiment.ts';
export { type RunDemoOptions, type RunDemoResult, runDemo } from './demo/run-demo.ts';
export * from './engine/index.ts';
export { startWeb, type WebServer, webAppDir } from './serve/start-web.ts';
export * from './worker/index.ts';
