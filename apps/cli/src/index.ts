// The CLI is a program (bin/kdlens.js → main.ts), not a library: nothing in the workspace imports
// it. The integration tests serve the built web app as `kdlens start` does, through this.
export { startWeb, type WebServer, webAppDir } from './serve/start-web.ts';
