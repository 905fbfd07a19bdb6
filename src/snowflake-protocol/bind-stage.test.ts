import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { BIND_STAGE_CREATE, BindFiles, bindPut, bindStageId, decodeBindRows } from './bind-stage.js';

describe("snowflake-sdk's bind stage", () => {
  it('recognises the statements of bind_uploader.js and nothing else', () => {
    assert.ok(
      BIND_STAGE_CREATE.test(`CREATE OR REPLACE TEMPORARY STAGE SYSTEM$BIND file_format=( type=csv field_optionally_enclosed_by='"')`),
    );
    assert.ok(!BIND_STAGE_CREATE.test('CREATE OR REPLACE TEMPORARY STAGE mine'));
    const id = '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed';
    assert.deepEqual(bindPut(`PUT file://1'@SYSTEM$BIND/${id}' overwrite=true auto_compress=false source_compression=gzip`), {
      name: '1',
      stage: id,
    });
    assert.equal(bindPut('PUT file:///tmp/x.csv @~/in'), null);
    assert.equal(bindStageId(`@SYSTEM$BIND/${id}`), id);
    assert.throws(() => bindStageId('@~/../etc'), /bindStage must be '@SYSTEM\$BIND\/<id>'/);
  });

  it('decodes the driver encoding: quotes doubled, "" an empty string, nothing a NULL, newlines inside quotes', () => {
    const rows = decodeBindRows('1,a,\n2,"q""uote, comma\nline",""\n3,,x\n', '1');
    assert.deepEqual(rows, [
      ['1', 'a', null],
      ['2', 'q"uote, comma\nline', ''],
      ['3', null, 'x'],
    ]);
    assert.throws(() => decodeBindRows('1,"open\n2,b\n', '7'), /bind file 7 line 1: a quoted value is not closed/);
    assert.throws(() => decodeBindRows('1,"a"b\n', '2'), /bind file 2 line 1: 'b' after a quoted value/);
  });

  it("keeps a statement's files on disk until it takes them, as TEXT bindings or paths, then deletes them", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recpipe-binds-'));
    try {
      const files = new BindFiles(join(dir, 'binds'), Date.now);
      await files.put(7, 'abc', '2', Buffer.from('3,c\n'));
      await files.put(7, 'abc', '1', gzipSync('1,a\n2,\n'));
      assert.throws(() => files.take(8, 'abc'), /no array binds were uploaded to @SYSTEM\$BIND\/abc/);
      await assert.rejects(files.put(7, 'abc', '../x', Buffer.from('')), /bad bind file name/);
      const taken = files.take(7, 'abc');
      assert.deepEqual(
        taken.files.map((f) => f.split('/').pop()),
        ['1', '2'],
      );
      assert.deepEqual(taken.rows(), {
        '1': { type: 'TEXT', value: ['1', '2', '3'] },
        '2': { type: 'TEXT', value: ['a', null, 'c'] },
      });
      taken.release();
      assert.ok(!existsSync(join(dir, 'binds', '7', 'abc')));
      assert.throws(() => files.take(7, 'abc'), /no array binds/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
