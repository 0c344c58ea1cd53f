import type { Command } from 'commander';
import { cliContext, withWarehouse } from '../cli-context.ts';
import { waitForever } from '../wait-forever.ts';

export function registerDbCommands(program: Command): void {
  const db = program
    .command('db')
    .description('the results warehouse (PostgreSQL: DATABASE_URL, else an embedded server)');

  db.command('start')
    .description(
      'start the embedded PostgreSQL (or check DATABASE_URL), migrate, and keep it running until Ctrl-C',
    )
    .action(async () => {
      const { onShutdown } = await import('@kdlens/core');
      const { openWarehouse, redactUrl } = await import('@kdlens/core/db');
      const ctx = cliContext();
      const warehouse = await openWarehouse({ config: ctx.config, log: ctx.log });
      onShutdown(() => warehouse.close());
      process.stdout.write(
        `warehouse ready (${warehouse.kind}): ${redactUrl(warehouse.url)}\n` +
          (warehouse.kind === 'embedded'
            ? `other kdlens commands on this machine use it while it runs. Ctrl-C stops it.\n`
            : ''),
      );
      await waitForever();
    });

  db.command('migrate')
    .description('apply pending migrations and exit')
    .action(() =>
      withWarehouse(async (w) => {
        const { migrationStatus, redactUrl } = await import('@kdlens/core/db');
        const status = await migrationStatus(w.url);
        process.stdout.write(
          `migrations applied: ${status.applied} (${w.kind} ${redactUrl(w.url)})\n`,
        );
      }),
    );

  db.command('status')
    .description('show where the warehouse is, its migrations and row counts')
    .option('--json', 'print one JSON document instead of text')
    .action((options: { json?: boolean }) =>
      withWarehouse(async (w) => {
        const { countRows, migrationStatus, redactUrl } = await import('@kdlens/core/db');
        const status = await migrationStatus(w.url);
        const rows = await countRows(w.db);
        if (options.json) {
          const { writeJson } = await import('../text-output.ts');
          writeJson({
            kind: w.kind,
            url: redactUrl(w.url),
            migrations: { applied: status.applied, lastAppliedAt: status.lastAppliedAt ?? null },
            rows,
          });
          return;
        }
        process.stdout.write(
          [
            `warehouse: ${w.kind} ${redactUrl(w.url)}`,
            `migrations applied: ${status.applied}${status.lastAppliedAt ? ` (newest dated ${status.lastAppliedAt.toISOString()})` : ''}`,
            `experiments: ${rows.experiments}`,
            `runs: ${rows.runs}`,
            '',
          ].join('\n'),
        );
      }),
    );
}
