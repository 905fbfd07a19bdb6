import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { authHeaders } from '../../tests/support/auth.js';
import { Engine } from '../engine/index.js';
import { createService } from './app.js';
import { compiledSchemaCount, sharedCompilers } from './schema-compilers.js';

describe('route schemas are compiled once per process', () => {
  const home = mkdtempSync(join(tmpdir(), 'recpipe-schemas-'));
  let engine: Engine;
  before(async () => {
    engine = await Engine.open({ home });
  });
  after(async () => {
    await engine.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('a second service compiles nothing, and still refuses a bad body and serialises its answers', { timeout: 60_000 }, async () => {
    const first = await createService(engine, { home });
    await first.ready();
    const compiled = compiledSchemaCount();
    assert.ok(compiled.validators > 0 && compiled.serializers > 0, JSON.stringify(compiled));
    await first.close();

    const second = await createService(engine, { home });
    try {
      await second.ready();
      assert.deepEqual(compiledSchemaCount(), compiled);
      const post = (payload: object) => second.inject({ method: 'POST', url: '/api/v1/statements', payload, headers: authHeaders(home) });
      const bad = await post({ sql: 1 });
      assert.equal(bad.statusCode, 400, bad.body);
      assert.match(bad.json<{ error: { message: string } }>().error.message, /body\.sql must be string/);
      const good = await post({ sql: 'select 7 as seven' });
      assert.equal(good.statusCode, 200, good.body);
      assert.deepEqual(good.json<{ results: { rows: unknown[][] }[] }>().results[0].rows, [[7]]);
    } finally {
      await second.close();
    }
  });

  it('refuses a headers schema naming a header in upper case (fastify lower-cases them only for its own compiler)', async () => {
    const app = Fastify({ schemaController: { compilersFactory: sharedCompilers } });
    app.get('/h', { schema: { headers: { type: 'object', properties: { 'X-Key': { type: 'string' } } } } }, async () => 'ok');
    await assert.rejects(async () => app.ready(), /GET \/h: name headers in lower case/);
    await app.close();
  });
});
