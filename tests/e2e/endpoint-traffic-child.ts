/**
 * Child process of endpoint-traffic-processes.test.ts: opens the endpoints of the home given as its
 * first argument, invokes endpoint argv[3] argv[4] times, prints `INVOKED <n>`, and keeps serving
 * (its traffic files live) until its stdin ends; then closes. Without arguments it does nothing.
 */
import { EndpointManager } from '../../src/endpoints/index.js';

const [home, endpoint, times] = process.argv.slice(2);
if (home && endpoint) {
  const endpoints = await EndpointManager.open({ home });
  await endpoints.waitFor(endpoint, 'InService');
  for (let i = 0; i < Number(times); i++) endpoints.invokeOne(endpoint, '1', '101');
  process.stdout.write(`INVOKED ${times}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void endpoints.close().then(() => process.exit(0)));
}
