import cliProgress from 'cli-progress';

/** A phase of long work: a bar on a terminal, a log line per quarter otherwise (CI, pipes, job logs). */
export interface ProgressBar {
  tick(n?: number): void;
  stop(): void;
}

export function startProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  if (stream.isTTY && (stream.columns ?? 0) > 0) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label.padEnd(14)} {bar} {percentage}% | {value}/{total} | {duration_formatted}`,
        stream,
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    return { tick: (n = 1) => bar.increment(n), stop: () => bar.stop() };
  }
  let done = 0;
  let lastQuarter = 0;
  const started = Date.now();
  return {
    tick(n = 1) {
      done += n;
      const quarter = Math.floor((4 * done) / Math.max(1, total));
      if (quarter > lastQuarter && done < total) {
        lastQuarter = quarter;
        stream.write(`${label}: ${done}/${total} (${Math.round((100 * done) / total)}%)\n`);
      }
    },
    stop() {
      stream.write(`${label}: done in ${((Date.now() - started) / 1000).toFixed(2)} s\n`);
    },
  };
}
