import type { Logger } from '@kdlens/core';
import type { ProgressReporter } from '@kdlens/trainer';
import cliProgress from 'cli-progress';

/**
 * Bars when progress is enabled and stderr is a terminal; otherwise a log line per quarter of
 * each unit (CI, pipes), so logs stay readable and still show that long work moves.
 */
export function createProgressReporter(opts: { enabled: boolean; log: Logger }): ProgressReporter {
  if (!opts.enabled || process.stderr.isTTY !== true) {
    return {
      drawsOnTerminal: false,
      unit(label) {
        let lastQuarter = -1;
        return {
          update(p) {
            const quarter = Math.floor(p.fraction * 4);
            if (quarter === lastQuarter) return;
            lastQuarter = quarter;
            opts.log.info(
              {
                unit: label,
                progress: Math.round(p.fraction * 100),
                epoch: p.epoch,
                loss: round(p.loss),
              },
              `${label}: ${Math.round(p.fraction * 100)}%`,
            );
          },
          done: (summary) => opts.log.info({ unit: label }, `${label}: ${summary}`),
        };
      },
      stop() {},
    };
  }
  const bars = new cliProgress.MultiBar(
    {
      format:
        ' {label} [{bar}] {percentage}% | epoch {epoch}/{epochs} | loss {loss} | {speed} img/s | eta {eta_formatted} {note}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    drawsOnTerminal: true,
    unit(label) {
      const bar = bars.create(1000, 0, {
        label: label.padEnd(22),
        epoch: 0,
        epochs: '?',
        loss: '–',
        speed: '–',
        note: '',
      });
      return {
        update(p) {
          bar.update(Math.round(p.fraction * 1000), {
            epoch: p.epoch,
            epochs: p.epochs,
            loss: round(p.loss),
            speed: Math.round(p.imagesPerSec),
          });
        },
        done(summary) {
          bar.update(1000, { note: summary });
        },
      };
    },
    stop: () => bars.stop(),
  };
}

const round = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : String(x));
