import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { withWarehouse } from '../cli-context.ts';

const roles = ['viewer', 'operator', 'admin'] as const;

function tokenName(value: string): string {
  const name = value.trim();
  if (name === '' || name.length > 100) {
    throw new InvalidArgumentError('expected 1 to 100 characters naming who or what uses it');
  }
  return name;
}

/**
 * API tokens. The CLI is where the first admin token comes from: it talks to the warehouse
 * directly, so whoever can run it can already read and change everything the API guards.
 */
export function registerTokenCommands(program: Command): void {
  const token = program
    .command('token')
    .description(
      'API tokens: viewer reads, operator launches/cancels/imports, admin manages tokens',
    );

  token
    .command('create')
    .description('create a token and print it once (only its hash is stored)')
    .addOption(
      new Option('--role <role>', 'what the token may do').choices(roles).makeOptionMandatory(),
    )
    .requiredOption('--name <name>', 'who or what uses the token, e.g. alice or ci', tokenName)
    .action((options: { role: (typeof roles)[number]; name: string }) =>
      withWarehouse(async (w) => {
        const { createApiToken } = await import('@kdlens/core/db');
        const created = await createApiToken(w.db, { name: options.name, role: options.role });
        // The token alone on stdout, so `$(kdlens token create …)` captures it; the rest on stderr.
        process.stdout.write(`${created.token}\n`);
        process.stderr.write(
          `created ${created.info.role} token "${created.info.name}" (id ${created.info.id}, ${created.info.prefix}…). ` +
            'It is shown only now: store it; send it as "Authorization: Bearer <token>".\n',
        );
      }),
    );

  token
    .command('list')
    .description('every token: id, prefix, name, role, created, last used, revoked')
    .option('--json', 'one JSON document (an array of tokens) instead of a table')
    .action((options: { json?: boolean }) =>
      withWarehouse(async (w) => {
        const { listApiTokens } = await import('@kdlens/core/db');
        const tokens = await listApiTokens(w.db);
        if (options.json) {
          // One document like every --json here (it was JSON lines), so any JSON parser reads it.
          process.stdout.write(`${JSON.stringify(tokens, null, 2)}\n`);
          return;
        }
        if (tokens.length === 0) {
          process.stdout.write(
            'no API tokens; create one with kdlens token create --role admin --name <you>\n',
          );
          return;
        }
        const day = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') : '-');
        const rows = tokens.map((t) => [
          t.id,
          `${t.prefix}…`,
          t.name,
          t.role,
          day(t.createdAt),
          day(t.lastUsedAt),
          t.revokedAt ? `revoked ${day(t.revokedAt)}` : 'active',
        ]);
        const header = ['id', 'token', 'name', 'role', 'created', 'last used', 'state'];
        const widths = header.map((h, i) =>
          Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)),
        );
        for (const row of [header, ...rows]) {
          process.stdout.write(
            `${row
              .map((c, i) => c.padEnd(widths[i] ?? 0))
              .join('  ')
              .trimEnd()}\n`,
          );
        }
      }),
    );

  token
    .command('revoke <idOrPrefix>')
    .description('revoke a token by its id or its prefix (kdl_…); it stops working at once')
    .action((idOrPrefix: string) =>
      withWarehouse(async (w) => {
        const { KdlensError } = await import('@kdlens/core');
        const { revokeApiToken } = await import('@kdlens/core/db');
        const revoked = await revokeApiToken(w.db, idOrPrefix.replace(/…$/, ''));
        if (!revoked) {
          throw new KdlensError(
            `no API token with id or prefix ${idOrPrefix}; see kdlens token list`,
          );
        }
        process.stdout.write(
          `revoked ${revoked.role} token "${revoked.name}" (${revoked.prefix}…)\n`,
        );
      }),
    );
}
