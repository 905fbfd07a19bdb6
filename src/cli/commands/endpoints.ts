import { jsonText, print, withControl, type ControlOptions } from '../control.js';
import { formatEndpointDetail, formatEndpointList } from '../endpoint-report.js';

interface FormatOptions extends ControlOptions {
  json?: boolean;
}

/** `recpipe endpoints list` */
export const list = (o: FormatOptions) =>
  withControl(o, async (c) => print(o.json ? jsonText(await c.listEndpoints()) : formatEndpointList(await c.listEndpoints())));

/** `recpipe endpoints describe NAME` */
export const describe = (name: string, o: FormatOptions) =>
  withControl(o, async (c) =>
    print(o.json ? jsonText(await c.describeEndpoint(name)) : formatEndpointDetail(await c.describeEndpoint(name))),
  );

/** `recpipe endpoints delete NAME` */
export const remove = (name: string, o: ControlOptions) =>
  withControl(o, async (c) => {
    const last = await c.deleteEndpoint(name);
    print(`Deleted endpoint ${last.name} (was serving ${last.artifactUri})\n`);
  });
