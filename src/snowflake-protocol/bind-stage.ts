import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { writeFileAtomic } from '../util/atomic-file.js';
import { invalid } from '../core/errors.js';
import type { Binding } from './binds.js';

/**
 * snowflake-sdk's array binds above CLIENT_STAGE_ARRAY_BINDING_THRESHOLD values travel through a
 * temporary stage (its bind_uploader.js): it runs `CREATE OR REPLACE TEMPORARY STAGE SYSTEM$BIND …`,
 * PUTs the rows as CSV files to `@SYSTEM$BIND/<uuid>`, then sends the statement with
 * `bindStage: "@SYSTEM$BIND/<uuid>"` instead of `bindings`. The stage is the protocol's, per login: it
 * is never a catalog object, and a statement takes (and deletes) its files.
 */
export const BIND_STAGE_CREATE = /^\s*CREATE\s+OR\s+REPLACE\s+TEMPORARY\s+STAGE\s+SYSTEM\$BIND\b/i;

/** `@SYSTEM$BIND/<uuid>` as the driver names a statement's binds. */
const BIND_STAGE = /^@SYSTEM\$BIND\/([0-9A-Za-z-]{1,64})$/i;

/** The driver's upload: `PUT file://<n>'@SYSTEM$BIND/<uuid>' overwrite=true auto_compress=false source_compression=gzip`. */
const BIND_PUT = /^\s*PUT\s+file:\/\/([0-9A-Za-z._-]{1,64})\s*'?@SYSTEM\$BIND\/([0-9A-Za-z-]{1,64})'?(\s|$)/i;

/** The files of one statement's binds, at most, and of all logins' binds not yet taken. */
const MAX_BIND_BYTES = 256 * 1024 * 1024;
/** Binds not taken by a statement within this long are dropped (the driver sends the statement at once). */
const BIND_FILE_MS = 3_600_000;

/** The stage id of a `bindStage` value; an error names what the driver sent otherwise. */
export function bindStageId(value: unknown): string {
  const m = typeof value === 'string' ? BIND_STAGE.exec(value) : null;
  if (!m) throw invalid(`bindStage must be '@SYSTEM$BIND/<id>' as snowflake-sdk sends it, not ${JSON.stringify(value)?.slice(0, 80)}`);
  return m[1].toLowerCase();
}

/** The file name and stage id of the driver's PUT of binds; null for any other statement. */
export function bindPut(sqlText: string): { name: string; stage: string } | null {
  const m = BIND_PUT.exec(sqlText);
  return m ? { name: m[1], stage: m[2].toLowerCase() } : null;
}

/** A statement's uploaded bind files: loaded by path, or read as rows; `release` deletes them. */
export interface TakenBinds {
  readonly files: readonly string[];
  rows(): Record<string, Binding>;
  release(): void;
}

/**
 * Uploaded bind files, per login and stage id, until a statement takes them: on disk in a directory of
 * the home's temporary space (owner-only), so COPY INTO's reader can load them. Not kept across restarts.
 */
export class BindFiles {
  readonly #stages = new Map<string, { bytes: number; since: number }>();
  #bytes = 0;

  constructor(
    private readonly dir: string,
    private readonly now: () => number,
  ) {
    rmSync(dir, { recursive: true, force: true });
  }

  async put(loginId: number, stage: string, name: string, body: Uint8Array): Promise<void> {
    if (!/^[0-9A-Za-z_-][0-9A-Za-z._-]{0,63}$/.test(name)) throw invalid(`bad bind file name '${name.slice(0, 80)}'`);
    this.#expire();
    const key = `${loginId}/${stage}`;
    const bytes = body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body, { maxOutputLength: MAX_BIND_BYTES }) : body;
    if (this.#bytes + bytes.length > MAX_BIND_BYTES)
      throw invalid(`array binds waiting for their statements would pass ${MAX_BIND_BYTES} bytes; bind fewer rows per statement`);
    const entry = this.#stages.get(key) ?? { bytes: 0, since: this.now() };
    entry.bytes += bytes.length;
    this.#bytes += bytes.length;
    this.#stages.set(key, entry);
    await writeFileAtomic(join(this.dir, key, name), bytes);
  }

  /** A statement's bind files (the driver names them 1, 2, … in row order); an error when none were uploaded. */
  take(loginId: number, stage: string): TakenBinds {
    const key = `${loginId}/${stage}`;
    const entry = this.#stages.get(key);
    if (entry === undefined)
      throw invalid(
        `no array binds were uploaded to @SYSTEM$BIND/${stage} in this session (or the server restarted since): run the statement again`,
      );
    const dir = join(this.dir, key);
    const names = readdirSync(dir)
      .filter((n) => !n.startsWith('.'))
      .sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
    const files = names.map((n) => join(dir, n));
    return {
      files,
      rows: () => {
        const rows: (string | null)[][] = [];
        for (const f of files) decodeBindRows(readFileSync(f, 'utf8'), basename(f), rows);
        return bindingsOf(rows);
      },
      release: () => this.#drop(key),
    };
  }

  /** Drops the binds of a login that ended. */
  end(loginId: number): void {
    for (const key of [...this.#stages.keys()]) if (key.startsWith(`${loginId}/`)) this.#drop(key);
  }

  #drop(key: string): void {
    const entry = this.#stages.get(key);
    if (entry === undefined) return;
    this.#stages.delete(key);
    this.#bytes -= entry.bytes;
    rmSync(join(this.dir, key), { recursive: true, force: true });
  }

  #expire(): void {
    const old = this.now() - BIND_FILE_MS;
    for (const [key, entry] of this.#stages) if (entry.since < old) this.#drop(key);
  }
}

/**
 * Rows of the driver's bind encoding (bind_uploader.js `csvData`): values separated by commas, rows
 * ended by newlines, a value holding `"`, `,`, `\`, a newline or a tab enclosed in double quotes (`""`
 * for a quote), an empty string as `""` and NULL as nothing. Read so only for a statement other than
 * `INSERT … VALUES (?, …)` (whose files COPY INTO's reader loads), to bind the values as JSON bindings are.
 */
export function decodeBindRows(csv: string, file: string, rows: (string | null)[][] = []): (string | null)[][] {
  const n = csv.length;
  let row: (string | null)[] = [];
  let i = 0;
  let line = 1;
  while (i < n) {
    let value: string | null;
    if (csv.charCodeAt(i) === 34) {
      let out = '';
      let j = i + 1;
      for (;;) {
        const q = csv.indexOf('"', j);
        if (q < 0) throw invalid(`bind file ${file} line ${line}: a quoted value is not closed`);
        out += csv.slice(j, q);
        if (csv.charCodeAt(q + 1) === 34) {
          out += '"';
          j = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      for (let k = 0; k < out.length; k++) if (out.charCodeAt(k) === 10) line++;
      value = out;
    } else {
      let j = i;
      while (j < n && csv.charCodeAt(j) !== 44 && csv.charCodeAt(j) !== 10) j++;
      value = j === i ? null : csv.slice(i, j);
      i = j;
    }
    row.push(value);
    const c = csv.charCodeAt(i);
    if (i >= n || c === 10) {
      rows.push(row);
      row = [];
      line++;
      i++;
    } else if (c === 44) {
      i++;
      if (i >= n) row.push(null);
    } else {
      throw invalid(`bind file ${file} line ${line}: '${csv[i]}' after a quoted value (expected a comma or a newline)`);
    }
  }
  if (row.length > 0) rows.push(row);
  return rows;
}

/** Rows of values as positional TEXT array bindings ("1", "2", … one per column). */
function bindingsOf(rows: readonly (string | null)[][]): Record<string, Binding> {
  if (rows.length === 0) throw invalid('the uploaded array binds hold no rows');
  const width = rows[0].length;
  const columns = Array.from({ length: width }, () => new Array<string | null>(rows.length));
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (row.length !== width) throw invalid(`array binds row ${r + 1} has ${row.length} values; row 1 has ${width}`);
    for (let c = 0; c < width; c++) columns[c][r] = row[c];
  }
  return Object.fromEntries(columns.map((value, c) => [String(c + 1), { type: 'TEXT', value }]));
}
