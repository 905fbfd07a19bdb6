import { listenError, stopSignal } from '../serve-lifecycle.js';
import { invalid } from '../../core/errors.js';
import { isLoopback } from '../../config/config.js';

interface ServeModelOptions {
  model: string;
  port: string;
  host: string;
}

export async function serveModel(o: ServeModelOptions): Promise<void> {
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw invalid(`--port must be an integer in 0..65535, got '${o.port}'`);
  // Imported here so other commands start without loading fastify.
  const [{ readArtifact }, { createModelServer }] = await Promise.all([
    import('../../artifacts/index.js'),
    import('../../serving/index.js'),
  ]);
  const t0 = performance.now();
  const { model, manifest } = await readArtifact(o.model);
  const loadMs = performance.now() - t0;
  const app = createModelServer(model);
  let url: string;
  try {
    url = await app.listen({ port, host: o.host });
  } catch (e) {
    throw listenError(e, o.host, port);
  }
  const { users, items } = manifest.counts;
  process.stdout.write(
    `Loaded ${manifest.algorithm} model (${manifest.family ?? 'factor'} family) from ${o.model}: ${users} users, ${items} items, ${manifest.nFactors} factors, ` +
      `trained ${manifest.createdAt} (read and verified in ${loadMs.toFixed(1)} ms)\n`,
  );
  process.stdout.write(`Model server listening on ${url} (GET /ping, POST /invocations; pid ${process.pid})\n`);
  if (!isLoopback(o.host)) {
    // SageMaker's container contract has no authentication: the platform in front of it decides who calls.
    process.stderr.write(
      `warning: the model server has no authentication and listens on ${o.host}; anyone who can reach it can call /invocations. Keep it behind a gateway or bind 127.0.0.1.\n`,
    );
  }
  await stopSignal();
  await app.close();
  process.stderr.write('stopped\n');
}
