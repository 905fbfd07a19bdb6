import { runShard } from '../support/shard-runner.js';

await runShard();
