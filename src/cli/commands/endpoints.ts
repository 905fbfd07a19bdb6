import type { Command } from 'commander';
import { addControlOptions, jsonText, print, withControl, type ControlOptions } from '../control.js';
import { formatEndpointDetail, formatEndpointList } from '../endpoint-report.js';

interface FormatOptions extends ControlOptions {
  json?: boolean;
}

export function registerEndpoints(program: Command): void {
  const endpoints = program
    .command('endpoints')
    .description('Deployed models (SageMaker-style endpoints) of the home: list, describe, delete');
  addControlOptions(
    endpoints.command('list').description('Every endpoint, by name').option('--json', 'print the endpoints as JSON'),
  ).action((o: FormatOptions) =>
    withControl(o, async (c) => print(o.json ? jsonText(await c.listEndpoints()) : formatEndpointList(await c.listEndpoints()))),
  );
  addControlOptions(
    endpoints
      .command('describe')
      .description('An endpoint: status, artifact, the model it serves')
      .argument('<name>')
      .option('--json', 'print the endpoint as JSON'),
  ).action((name: string, o: FormatOptions) =>
    withControl(o, async (c) =>
      print(o.json ? jsonText(await c.describeEndpoint(name)) : formatEndpointDetail(await c.describeEndpoint(name))),
    ),
  );
  addControlOptions(endpoints.command('delete').description('Delete an endpoint (it stops answering at once)').argument('<name>')).action(
    (name: string, o: ControlOptions) =>
      withControl(o, async (c) => {
        const last = await c.deleteEndpoint(name);
        print(`Deleted endpoint ${last.name} (was serving ${last.artifactUri})\n`);
      }),
  );
}
