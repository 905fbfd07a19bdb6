import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Engine, type Session } from '../../engine/index.js';
import { sql, tempDir } from '../../../tests/support/temp-engine.js';

/** Bad files: expected first error (message pattern, line, character, column) and good/parsed rows. */
const BAD = {
  'too few columns': {
    text: 'a,b,c\n1,x,1.5\n2,y\n3,z,2.5\n',
    error: /^Number of columns in file \(2\) does not match that of the corresponding table \(3\)/,
    line: 3,
    character: 4,
    column: '"T"["C":3]',
    parsed: 3,
    good: 2,
  },
  'too many columns': {
    text: 'a,b,c\n1,x,1.5\n2,y,2.5,9\n3,z,2.5\n',
    error: /^Number of columns in file \(4\) does not match that of the corresponding table \(3\)/,
    line: 3,
    character: 8,
    column: null,
    parsed: 3,
    good: 2,
  },
  'unparsable number': {
    text: 'a,b,c\r\n1,x,1.5\r\n2,y,abc\r\n3,z,2.5\r\n',
    error: /^Numeric value 'abc' is not recognized$/,
    line: 3,
    character: 5,
    column: '"T"["C":3]',
    parsed: 3,
    good: 2,
  },
  'unterminated quote': {
    text: 'a,b,c\n1,x,1.5\n2,"y,2.5\n3,z,2.5\n',
    error: /^Unterminated quoted field/,
    line: 3,
    character: 3,
    column: '"T"["B":2]',
    parsed: 2,
    good: 1,
  },
  'empty file': { text: '', error: /^File is empty/, line: 1, character: 1, column: null, parsed: 0, good: 0 },
} as const;

describe('COPY INTO', () => {
  let home: string;
  let engine: Engine;
  let session: Session;
  let files: { dir: string; remove: () => void };
  const file = (name: string, text: string): string => {
    const path = join(files.dir, name);
    writeFileSync(path, text);
    return path;
  };
  const count = async (table = 't'): Promise<number> => (await sql(engine, session, `select count(*) from ${table}`)).rows[0][0] as number;

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'recpipe-'));
    engine = await Engine.open({ home });
    session = engine.createSession();
    files = tempDir();
    await engine.execute(
      session,
      `create database D;
       create table t (a int, b varchar, c float);
       create file format f type = csv skip_header = 1 field_optionally_enclosed_by = '"';`,
    );
  });
  after(async () => {
    await engine.close();
    rmSync(home, { recursive: true, force: true });
    files.remove();
  });

  for (const [name, bad] of Object.entries(BAD)) {
    describe(name, () => {
      it('ON_ERROR = ABORT_STATEMENT fails the statement, names file, line and character, loads nothing', async () => {
        const path = file(`${name}-abort.csv`, bad.text);
        const before = await count();
        await assert.rejects(engine.execute(session, `copy into t from '${path}' file_format = (format_name = f)`), (e: Error) => {
          assert.match(e.message.split('\n')[0], bad.error);
          assert.match(e.message, new RegExp(`File '${path}', line ${bad.line}, character ${bad.character}`));
          return true;
        });
        assert.equal(await count(), before);
        const h = await sql(
          engine,
          session,
          `select status, row_count, first_error_line_number from recpipe.load_history where file_name = ?`,
          [path],
        );
        assert.deepEqual(h.rows, [['LOAD_FAILED', 0, bad.line]]);
      });

      it('ON_ERROR = CONTINUE loads the good rows and reports the first bad one', async () => {
        const path = file(`${name}-continue.csv`, bad.text);
        const before = await count();
        const r = await sql(engine, session, `copy into t from 'file://${path}' file_format = (format_name = 'F') on_error = continue`);
        const status = bad.good > 0 ? 'PARTIALLY_LOADED' : 'LOAD_FAILED';
        assert.deepEqual(r.rows[0].slice(0, 6), [path, status, bad.parsed, bad.good, bad.parsed, 1]);
        assert.match(String(r.rows[0][6]), bad.error);
        assert.deepEqual(r.rows[0].slice(7), [bad.line, bad.character, bad.column]);
        assert.equal(await count(), before + bad.good);
      });

      it('ON_ERROR = SKIP_FILE loads nothing from the bad file', async () => {
        const path = file(`${name}-skip.csv`, bad.text);
        const before = await count();
        const r = await sql(engine, session, `copy into t from '${path}' file_format = (format_name = f) on_error = skip_file`);
        assert.deepEqual(r.rows[0].slice(1, 6), ['LOAD_FAILED', bad.parsed, 0, 1, 1]);
        assert.equal(r.rows[0][7], bad.line);
        assert.equal(await count(), before);
      });
    });
  }

  it('returns Snowflake result columns', async () => {
    const r = await sql(engine, session, `copy into t from '${file('ok.csv', 'a,b,c\n1,x,1\n')}' file_format = (format_name = f)`);
    assert.deepEqual(
      r.columns.map((c) => c.name),
      [
        'file',
        'status',
        'rows_parsed',
        'rows_loaded',
        'error_limit',
        'errors_seen',
        'first_error',
        'first_error_line',
        'first_error_character',
        'first_error_column_name',
      ],
    );
    assert.equal(r.kind, 'query');
  });

  it('skips a file it already loaded unless FORCE = TRUE', async () => {
    const path = file('once.csv', 'a,b,c\n7,x,1\n8,y,2\n');
    await sql(engine, session, `copy into t from '${path}' file_format = (format_name = f)`);
    const before = await count();
    const again = await sql(engine, session, `copy into t from '${path}' file_format = (format_name = f)`);
    assert.equal(again.message, 'Copy executed with 0 files processed.');
    assert.equal(await count(), before);
    await sql(engine, session, `copy into t from '${path}' file_format = (format_name = f) force = true`);
    assert.equal(await count(), before + 2);
  });

  it('loads again after TRUNCATE, CREATE OR REPLACE and DROP + CREATE (not after DELETE), as Snowflake does', async () => {
    const path = file('reload.csv', 'a,b,c\n7,x,1\n8,y,2\n');
    const copy = async () => (await sql(engine, session, `copy into r from '${path}' file_format = (format_name = f)`)).message ?? 'loaded';
    await engine.execute(session, 'create table r (a int, b varchar, c float)');
    assert.equal(await copy(), 'loaded');
    await engine.execute(session, 'delete from r');
    assert.equal(await copy(), 'Copy executed with 0 files processed.');
    await engine.execute(session, 'truncate table r');
    assert.equal(await copy(), 'loaded');
    assert.equal(await count('r'), 2);
    await engine.execute(session, 'create or replace table r (a int, b varchar, c float)');
    assert.equal(await copy(), 'loaded');
    await engine.execute(session, 'drop table r; create table r (a int, b varchar, c float)');
    assert.equal(await copy(), 'loaded');
    await engine.execute(session, 'create table if not exists r (a int, b varchar, c float)');
    assert.equal(await copy(), 'Copy executed with 0 files processed.');
    assert.equal(await count('r'), 2);
  });

  it('refuses a binary file and a line over the maximum size, naming file and line, instead of loading nothing or dropping it', async () => {
    const binary = join(files.dir, 'photo.bin');
    writeFileSync(binary, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]));
    const huge = file('huge.csv', `a,b,c\n1,x,1\n2,${'y'.repeat(50_000_000)},2\n3,z,3\n`);
    await engine.execute(session, 'create or replace table bad (a int, b varchar, c float)');
    await assert.rejects(engine.execute(session, `copy into bad from '${binary}' file_format = (format_name = f)`), (e: Error) => {
      assert.match(
        e.message,
        /^File is binary, not delimited text: it holds a NUL byte \(0x00\)\n {2}File '.*photo\.bin', line 3, character 1/,
      );
      return true;
    });
    await assert.rejects(
      engine.execute(session, `copy into bad from '${huge}' file_format = (format_name = f)`),
      /Maximum line size of 2000000 bytes exceeded: line 3 is longer\n {2}File '.*huge\.csv', line 3, character 1/,
    );
    assert.equal(await count('bad'), 0);
    const dir = join(files.dir, 'mixed');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.bin'), Buffer.from([1, 2, 0, 3]));
    writeFileSync(join(dir, 'b.csv'), 'a,b,c\n1,x,1\n');
    const r = await sql(engine, session, `copy into bad from '${dir}' file_format = (format_name = f) on_error = continue`);
    assert.deepEqual(
      r.rows.map((row) => [String(row[0]).slice(dir.length + 1), row[1], row[3], row[5]]),
      [
        ['a.bin', 'LOAD_FAILED', 0, 1],
        ['b.csv', 'LOADED', 1, 0],
      ],
    );
    assert.equal(await count('bad'), 1);
  });

  it('loads every file of a directory (PATTERN filters), one result row each', async () => {
    const dir = join(files.dir, 'parts');
    mkdirSync(dir);
    writeFileSync(join(dir, 'p1.csv'), 'a,b,c\n1,x,1\n');
    writeFileSync(join(dir, 'p2.csv'), 'a,b,c\n2,y,2\n3,z,3\n');
    writeFileSync(join(dir, 'notes.txt'), 'not a csv');
    writeFileSync(join(dir, 'p3.csv'), 'a,b,c\n4,w\n');
    const r = await sql(
      engine,
      session,
      `copy into t from '${pathToFileURL(dir).href}/' pattern = '.*/p[12][.]csv' file_format = (format_name = f)`,
    );
    assert.deepEqual(
      r.rows.map((row) => [row[0], row[1], row[3]]),
      [
        [join(dir, 'p1.csv'), 'LOADED', 1],
        [join(dir, 'p2.csv'), 'LOADED', 2],
      ],
    );
    const failedOnly = await sql(
      engine,
      session,
      `copy into t from '${dir}' files = ('p1.csv', 'p3.csv') file_format = (format_name = f) on_error = continue force = true return_failed_only = true`,
    );
    assert.deepEqual(
      failedOnly.rows.map((row) => [row[0], row[1]]),
      [[join(dir, 'p3.csv'), 'LOAD_FAILED']],
    );
  });

  it('accepts an inline format, a column list and a different delimiter and NULL_IF', async () => {
    await sql(engine, session, 'create table semi (x varchar, y int)');
    const path = file('semi.csv', 'y;x\n1;NULL\n2;two\n');
    await sql(
      engine,
      session,
      `copy into semi (y, x) from '${path}' file_format = (type = csv skip_header = 1 field_delimiter = ';' null_if = ('NULL'))`,
    );
    assert.deepEqual((await sql(engine, session, 'select x, y from semi order by y')).rows, [
      [null, 1],
      ['two', 2],
    ]);
  });

  it("reads tab-separated CRLF files with field_delimiter = '\\t': no \\r in the last field, errors at the right line and character", async () => {
    await sql(engine, session, 'create table udata (u int, i int, r float, note varchar)');
    const tsv = "file_format = (type = csv field_delimiter = '\\t')";
    const good = file('udata.tsv', '196\t242\t3\tgood\r\n186\t302\t3.5\tok\r\n22\t377\t1\t\r\n');
    assert.deepEqual((await sql(engine, session, `copy into udata from '${good}' ${tsv}`)).rows[0].slice(1, 4), ['LOADED', 3, 3]);
    assert.deepEqual((await sql(engine, session, 'select u, note, length(note) from udata order by u')).rows, [
      [22, null, null],
      [186, 'ok', 2],
      [196, 'good', 4],
    ]);
    const bad = file('udata-bad.tsv', '196\t242\t3\tgood\r\n186\t302\tx\tok\r\n');
    const r = await sql(engine, session, `copy into udata from '${bad}' ${tsv} on_error = continue`);
    assert.deepEqual(r.rows[0].slice(1, 10), [
      'PARTIALLY_LOADED',
      2,
      1,
      2,
      1,
      "Numeric value 'x' is not recognized",
      2,
      9,
      '"UDATA"["R":3]',
    ]);
    // CRLF lines with an LF line among them: DuckDB fails the file without a line; the error names it.
    const mixed = file('udata-mixed.tsv', '196\t242\t3\tgood\r\n186\t302\t4\tok\n22\t377\t1\tx\r\n');
    await assert.rejects(
      engine.execute(session, `copy into udata from '${mixed}' ${tsv} on_error = continue`),
      /line 2 ends with LF but line 1 ends with CRLF/,
    );
    assert.equal(await count('udata'), 4, 'nothing of the mixed file was loaded');
  });

  it('rejects unknown options, formats and sources with what is supported', async () => {
    const path = file('x.csv', 'a,b,c\n');
    await assert.rejects(
      engine.execute(session, `copy into t from '${path}' validation_mode = return_errors`),
      /invalid COPY option 'VALIDATION_MODE'; supported: FILE_FORMAT/,
    );
    await assert.rejects(engine.execute(session, `copy into t from '${path}' purge = true`), /PURGE = TRUE is not supported/);
    await assert.rejects(
      engine.execute(session, `copy into t from '${path}' file_format = (type = parquet)`),
      /file format type PARQUET is not supported; supported types: CSV/,
    );
    await assert.rejects(
      engine.execute(session, `copy into t from '${path}' file_format = (format_name = nope)`),
      /File format 'D\.PUBLIC\.NOPE' does not exist/,
    );
    await assert.rejects(engine.execute(session, `copy into t from '${path}' on_error = skip`), /invalid value 'SKIP' for ON_ERROR/);
    await assert.rejects(
      engine.execute(session, `copy into t from 's3://bucket/x.csv'`),
      /unsupported COPY source 's3:\/\/bucket\/x\.csv'.*supported schemes: file:\/\//,
    );
    await assert.rejects(engine.execute(session, `copy into t from @stage`), /Stage '.*STAGE' does not exist or not authorized/);
    await assert.rejects(engine.execute(session, `copy into t from '${join(files.dir, 'absent.csv')}'`), /was not found/);
    await assert.rejects(engine.execute(session, `copy into nope from '${path}'`), /Table 'D\.PUBLIC\.NOPE' does not exist/);
  });

  it('keeps Snowflake load history queryable as RECPIPE.PUBLIC.LOAD_HISTORY', async () => {
    const r = await sql(
      engine,
      session,
      `select table_name, status, row_count, error_count from recpipe.public.load_history where file_name like '%ok.csv'`,
    );
    assert.deepEqual(r.rows, [['T', 'LOADED', 1, 0]]);
  });
});
