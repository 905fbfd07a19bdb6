import { RecpipeError, invalid } from '../../core/errors.js';
import { withControl, type ControlOptions } from '../control.js';
import { formatEndpointDetail } from '../endpoint-report.js';

interface DeployOptions extends ControlOptions {
  wait: boolean;
  timeout: string;
}

export async function deploy(name: string, ref: string, o: DeployOptions): Promise<void> {
  const seconds = Number(o.timeout);
  if (!(Number.isFinite(seconds) && seconds > 0)) throw invalid(`--timeout must be a positive number of seconds, got '${o.timeout}'`);
  await withControl(o, async (client, home) => {
    const started = await client.deploy(name, ref);
    const target = started.pendingArtifactUri ?? started.artifactUri;
    process.stdout.write(`Deploying ${target} to endpoint ${name} (${started.status})\n`);
    if (!o.wait) return;
    const served = await client.waitForEndpoint(name, 'InService', seconds * 1000);
    // An update that could not load its artifact rolls back: InService, but on the old model.
    if (served.artifactUri !== target)
      throw new RecpipeError(
        'FAILED_PRECONDITION',
        `Endpoint ${name} still serves ${served.artifactUri}: ${served.failureReason ?? 'the update did not take'}`,
      );
    process.stdout.write(formatEndpointDetail(served));
    if (client.mode === 'in-process') {
      process.stderr.write(`the endpoint is saved in ${home}; it answers invocations while a server runs: recpipe server --home ${home}\n`);
    }
  });
}
