/**
 * The "who imports whom" table of docs/architecture.md is the architecture as documented; this reads every
 * workspace's code and package.json and fails when either disagrees with it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const workspaces: Record<string, string> = {
  '@kdlens/cli': 'apps/cli',
  '@kdlens/trainer': 'apps/trainer',
  '@kdlens/api': 'apps/api',
  '@kdlens/web': 'apps/web',
  '@kdlens/core': 'packages/core',
  '@kdlens/metrics': 'packages/metrics',
};
const skipped = new Set(['node_modules', '.next', 'dist', '.turbo']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return skipped.has(entry.name) ? [] : sourceFiles(full);
    return /\.(ts|tsx|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Workspace packages a workspace's code names: imports, dynamic imports, require.resolve. */
function importedPackages(dir: string, self: string): Set<string> {
  const found = new Set<string>();
  // `from '…'`, a bare `import '…'`, `import('…')`, `require('…')` and `require.resolve('…')`.
  const specifier =
    /(?:from\s+|import\s+|import\s*\(\s*|require(?:\.resolve)?\(\s*)['"](@kdlens\/[a-z-]+)/g;
  for (const file of sourceFiles(path.join(root, dir))) {
    for (const match of readFileSync(file, 'utf8').matchAll(specifier)) {
      if (match[1] !== self) found.add(match[1] as string);
    }
  }
  return found;
}

/** The docs/architecture.md table: package → the workspace packages its row names. */
function documentedImports(): Map<string, Set<string>> {
  const page = readFileSync(path.join(root, 'docs/architecture.md'), 'utf8');
  const header = '| package | imports (workspace packages) |';
  const start = page.indexOf(header);
  expect(start, `docs/architecture.md has no "${header}" table`).toBeGreaterThan(-1);
  const rows = page
    .slice(start)
    .split('\n')
    .slice(2)
    .filter((_, i, all) => all.slice(0, i + 1).every((line) => line.startsWith('|')));
  return new Map(
    rows.map((row) => {
      const [, name, imports] = row.split('|').map((cell) => cell.trim());
      const packages = [...(imports ?? '').matchAll(/`(@kdlens\/[a-z-]+)/g)].map((m) => m[1]);
      return [(name ?? '').replaceAll('`', ''), new Set(packages as string[])];
    }),
  );
}

describe('the architecture table of docs/architecture.md', () => {
  const documented = documentedImports();

  it('lists every workspace package, and only those', () => {
    expect([...documented.keys()].sort()).toEqual(Object.keys(workspaces).sort());
  });

  for (const [name, dir] of Object.entries(workspaces)) {
    it(`${name}: the packages its code imports are the documented ones`, () => {
      expect([...importedPackages(dir, name)].sort()).toEqual(
        [...(documented.get(name) ?? [])].sort(),
      );
    });

    it(`${name}: its package.json declares exactly the workspace packages it imports`, () => {
      const manifest = JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      const declared = Object.keys({
        ...manifest.dependencies,
        ...manifest.devDependencies,
      }).filter((d) => d.startsWith('@kdlens/'));
      expect(declared.sort()).toEqual([...importedPackages(dir, name)].sort());
    });
  }
});
