import { renderCliPage } from './cli-reference.page.ts';
import { renderEnvironmentPage } from './environment.page.ts';
import { renderSpecsPage } from './specs.page.ts';

/** A docs page written from the code it documents; `path` is relative to the repository root. */
export interface GeneratedPage {
  path: string;
  render(): string;
}

/** The command that rewrites them all (scripts/ names it; the drift test prints it). */
export const regenerateCommand = 'npm run docs:generate';

export const generatedPages: readonly GeneratedPage[] = [
  { path: 'docs/cli.md', render: renderCliPage },
  { path: 'docs/environment.md', render: renderEnvironmentPage },
  { path: 'docs/specs.md', render: renderSpecsPage },
];
