import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { recpipeInProcess } from '../../tests/support/cli-in-process.js';
import { recpipe, startServerChild } from '../../tests/support/recpipe-cli.js';
import { createProgram } from './program.js';

const dir = mkdtempSync(join(tmpdir(), 'recpipe-modules-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A module hook for children (and their workers, which inherit NODE_OPTIONS) that appends each
 * module URL a child loads to a log; returns the NODE_OPTIONS that install it and the log's path.
 */
function moduleHook(name: string): { nodeOptions: string; log: string } {
  const log = join(dir, `${name}.log`);
  const hooks = join(dir, `${name}-hooks.mjs`);
  const register = join(dir, `${name}-register.mjs`);
  writeFileSync(log, '');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(${JSON.stringify(log)}, url + '\\n');
  return next(url, context);
}`,
  );
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  return { nodeOptions: `--import ${pathToFileURL(register).href}`, log };
}

const loaded = (log: string) => readFileSync(log, 'utf8').split('\n').filter(Boolean);

/** The module URLs a `recpipe ARGS` child loaded, and its outcome. */
async function modulesOf(args: string[], name: string) {
  const { nodeOptions, log } = moduleHook(name);
  const outcome = await recpipe(args, { env: { NODE_OPTIONS: nodeOptions } });
  assert.equal(outcome.code, 0, outcome.stderr);
  return { outcome, modules: loaded(log) };
}

// What a training process has no use for: the HTTP service and its protocols, the console, the SQL
// dialect (and its WebAssembly), the engine, the client and the AWS signer.
const NOT_FOR_TRAIN =
  /\/dist\/src\/(service|snowflake-protocol|sagemaker-api|ext-protocol|engine|sql|client\/(?!copy-statement|identifiers)|auth)\/|\/node_modules\/(fastify|@fastify|@polyglot-sql|@smithy)\//;

describe('recpipe start-up: a process loads the modules of the command it runs', () => {
  it('train --ratings loads no service, console, SQL dialect, client or AWS module (workers included)', { timeout: 120_000 }, async () => {
    const ratings = join(dir, 'ratings.csv');
    const lines = ['userId,movieId,rating'];
    for (let u = 1; u <= 30; u++) for (let i = 1; i <= 20; i++) if ((u * 7 + i * 3) % 4 !== 0) lines.push(`${u},${i},${1 + ((u + i) % 5)}`);
    writeFileSync(ratings, lines.join('\n') + '\n');
    const { outcome, modules } = await modulesOf(
      [
        'train',
        '--ratings',
        ratings,
        '--cv',
        '2',
        '--workers',
        '2',
        '--model',
        join(dir, 'model'),
        '--recommendations',
        join(dir, 'top.csv'),
      ],
      'train',
    );
    assert.match(outcome.stderr, /Loaded \d+ ratings/);
    assert.ok(
      modules.some((m) => m.includes('/dist/src/training/')),
      'the hook saw the trainer load',
    );
    assert.deepEqual(
      modules.filter((m) => NOT_FOR_TRAIN.test(m)),
      [],
    );
  });

  it('sql -q in-process loads no HTTP server, service or AWS signer', { timeout: 120_000 }, async () => {
    const { outcome, modules } = await modulesOf(
      ['sql', '--home', join(dir, 'sql-home'), '--create-home', '--format', 'csv', '-q', 'select 1 as one'],
      'sql',
    );
    assert.match(outcome.stdout, /^ONE\n1\n$/);
    assert.deepEqual(
      modules.filter((m) =>
        /\/dist\/src\/(service|snowflake-protocol|sagemaker-api|ext-protocol)\/|\/node_modules\/(fastify|@fastify|@sinclair|@smithy)\//.test(
          m,
        ),
      ),
      [],
    );
  });

  it('--version loads no command module and no DuckDB', { timeout: 60_000 }, async () => {
    const { outcome, modules } = await modulesOf(['--version'], 'version');
    assert.match(outcome.stdout, /^\d+\.\d+\.\d+/);
    assert.deepEqual(
      modules.filter((m) => /\/dist\/src\/cli\/commands\/(?!index)|\/node_modules\/@duckdb\//.test(m)),
      [],
    );
  });

  it('a server compiles the SQL dialect on its first statement, not to start; it stops on SIGTERM and removes server.json', {
    timeout: 180_000,
  }, async () => {
    const home = join(dir, 'home');
    const { nodeOptions, log } = moduleHook('server');
    const server = await startServerChild(home, 120_000, [], { NODE_OPTIONS: nodeOptions });
    const dialect = () => loaded(log).filter((m) => m.includes('/node_modules/@polyglot-sql/'));
    try {
      const health = await fetch(`${server.url}/api/v1/health`);
      assert.equal(health.status, 200);
      assert.deepEqual(dialect(), [], 'no dialect module loaded before any statement');
      assert.ok(existsSync(join(home, 'server.json')));
      // The clients are not the point: in this process, they reach the server through its server.json.
      for (const q of ['select 1 as one', 'select 2 as two']) {
        const run = await recpipeInProcess(['sql', '--home', home, '--format', 'csv', '-q', q]);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /^(ONE|TWO)\n[12]\n$/);
      }
      assert.ok(dialect().length > 0, 'the first statement loaded the dialect');
      assert.equal(new Set(dialect()).size, dialect().length, 'each dialect module loaded once');
      assert.equal(await server.stop(), 0);
      assert.ok(!existsSync(join(home, 'server.json')), 'server.json removed');
    } finally {
      await server.stop();
    }
  });

  it('--help lists every command with its description', () => {
    const program = createProgram();
    const help = program.helpInformation();
    assert.ok(program.commands.length >= 14);
    for (const c of program.commands) {
      assert.ok(c.description().length > 10, `${c.name()} has a description`);
      assert.match(
        help,
        new RegExp(
          `\\n\\s+${c.name()}\\b[^\\n]*\\s+${c
            .description()
            .slice(0, 20)
            .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
        ),
      );
    }
  });
});
