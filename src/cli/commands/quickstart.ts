import { loadConfig } from '../../config/index.js';
import { findServer } from '../../client/index.js';
import { RecpipeError } from '../../core/errors.js';
import { startProgress, type ProgressBar } from '../progress.js';

interface QuickstartOptions {
  data?: string;
  home?: string;
  downloadUrl?: string;
}

export async function quickstart(o: QuickstartOptions): Promise<void> {
  const config = loadConfig({ home: o.home, createHome: true });
  const running = await findServer(config.home);
  if (running)
    throw new RecpipeError(
      'CONFLICT',
      `a recpipe server (pid ${running.pid}) owns ${config.home}; stop it, or run the quickstart with another --home`,
    );
  const [{ quickstartData, playGuide, ENDPOINT }, { Engine }] = await Promise.all([
    import('../../quickstart/index.js'),
    import('../../engine/index.js'),
  ]);
  let bar: ProgressBar | null = null;
  let shownKb = 0;
  const data = await quickstartData({
    home: config.home,
    dataDir: o.data,
    downloadUrl: o.downloadUrl,
    onDownload: (received, total) => {
      bar ??= startProgress('download KiB', Math.max(1, Math.ceil(total / 1024)));
      const kb = Math.floor(received / 1024);
      bar.tick(kb - shownKb);
      shownKb = kb;
    },
  });
  (bar as ProgressBar | null)?.stop();
  process.stderr.write(`recpipe quickstart: ${data.note}\nhome: ${config.home} (in-process, no server needed)\n`);
  const engine = await Engine.open({ home: config.home, publicUrl: `http://${config.host}:${config.port}` });
  try {
    const summary = await playGuide(engine, data.dir, {
      out: (t) => process.stdout.write(t + '\n'),
      info: (t) => process.stderr.write(t + '\n'),
    });
    process.stdout.write(
      `\nDone in ${summary.seconds.toFixed(1)} s: job ${summary.jobName}` +
        (summary.meanRmse === null ? '' : ` (mean RMSE ${summary.meanRmse.toFixed(4)})`) +
        `, ${summary.recommendationRows} users' top 10 in USER_MOVIE_RECOMMENDATIONS, endpoint ${ENDPOINT} InService.\n` +
        `Continue with:  npx recpipe server --home ${config.home}   then   npx recpipe sql --home ${config.home}\n`,
    );
  } finally {
    await engine.close();
  }
}
