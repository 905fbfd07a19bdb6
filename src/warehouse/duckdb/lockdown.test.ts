import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openDuckDbWarehouse } from './duckdb-warehouse.js';

describe('DuckDB locked out of the host (enforced by DuckDB, without recpipe’s SQL checks)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recpipe-lock-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('opens only the allowed files; no statement re-enables access; loads pass through the staging area', async () => {
    const allowed = join(dir, 'allowed');
    const staging = join(allowed, 'loads');
    mkdirSync(staging, { recursive: true });
    const secret = join(dir, 'secret.csv');
    writeFileSync(secret, 'v\nTOPSECRET\n');
    symlinkSync(secret, join(allowed, 'link.csv'));
    const wh = await openDuckDbWarehouse({ fileAccess: { directories: [allowed], paths: [], stagingDirectory: staging } });
    try {
      for (const sql of [
        `select * from read_text('${secret}')`,
        `select * from read_csv('${secret}')`,
        `select * from read_csv('${join(allowed, 'link.csv')}')`,
        `select * from read_csv('${allowed}/../secret.csv')`,
        `select * from glob('/etc/*')`,
        `select * from '${secret}'`,
        `attach '${join(dir, 'x.duckdb')}' as x`,
        `copy (select 1) to '${join(dir, 'out.csv')}'`,
        'set enable_external_access = true',
        "set allowed_directories = ['/']",
        'set lock_configuration = false',
        'load httpfs',
      ]) {
        await assert.rejects(wh.run(sql), (e: Error) => !e.message.includes('TOPSECRET'), sql);
      }
      await wh.run(`attach '${join(allowed, 'db.duckdb')}' as db`);
      await wh.run('create table db.t (v varchar)');
      const outcomes = await wh.loadCsv({
        table: { database: 'db', schema: 'main', name: 't' },
        files: [secret],
        options: {
          skipHeader: 1,
          delimiter: ',',
          quote: '',
          escape: '',
          nullIf: [],
          emptyFieldAsNull: true,
          errorOnColumnCountMismatch: true,
          compression: 'none',
        },
        onError: { kind: 'abort' },
      });
      assert.equal(outcomes[0].file, secret, 'outcomes name the original file');
      assert.deepEqual((await wh.run('select v from db.t')).rows, [['TOPSECRET']]);
    } finally {
      await wh.close();
    }
  });
});
