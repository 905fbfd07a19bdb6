import { randomUUID } from 'node:crypto';
import { quoteTableName, type TableName } from '../../warehouse/index.js';
import type { ExecContext } from '../context.js';
import type { Parser } from '../parser.js';
import { HIDDEN_PREFIX, parseSequenceSpec, sequenceOptions, type SequenceSpec } from './sequence.js';

/**
 * AUTOINCREMENT / IDENTITY columns of a table being created: each gets a hidden sequence (its
 * default is the sequence's next value). Names carry a random part, because DuckDB will not
 * replace a sequence a column default still uses (CREATE OR REPLACE TABLE); the sequences of
 * a replaced or dropped table are dropped afterwards.
 */
export class AutoincrementColumns {
  private readonly made: { name: TableName; spec: SequenceSpec }[] = [];

  constructor(private readonly table: TableName) {}

  /** After AUTOINCREMENT | IDENTITY: `[(start, step)] [START [WITH] n] [INCREMENT [BY] n] [ORDER|NOORDER]`; the column's DEFAULT. */
  column(p: Parser, column: string): string {
    let spec: SequenceSpec;
    if (p.acceptPunct('(')) {
      const start = p.value();
      p.expectPunct(',');
      const increment = p.value();
      p.expectPunct(')');
      if (!Number.isSafeInteger(start) || !Number.isSafeInteger(increment) || increment === 0) {
        return p.fail('integers (start, step) with a step other than 0');
      }
      spec = { start: start as number, increment: increment as number };
      p.acceptOneOf(['ORDER', 'NOORDER']);
    } else {
      spec = parseSequenceSpec(p);
    }
    const name = { ...this.table, name: `${this.prefix()}${column}$${randomUUID().slice(0, 8)}` };
    this.made.push({ name, spec });
    return `DEFAULT nextval('${quoteTableName(name).replace(/'/g, "''")}')`;
  }

  async create(ctx: ExecContext): Promise<void> {
    for (const { name, spec } of this.made) await ctx.conn.run(`CREATE SEQUENCE ${quoteTableName(name)} ${sequenceOptions(spec)}`);
  }

  /** Drops this table's hidden sequences no column uses any more (DuckDB refuses to drop the ones in use). */
  async dropStale(ctx: ExecContext): Promise<void> {
    const keep = new Set(this.made.map((m) => m.name.name));
    const r = await ctx.conn.run(
      'SELECT sequence_name FROM duckdb_sequences() WHERE database_name = ? AND schema_name = ? AND starts_with(sequence_name, ?)',
      [this.table.database, this.table.schema, this.prefix()],
    );
    for (const [name] of r.rows) {
      if (keep.has(String(name))) continue;
      await ctx.conn.run(`DROP SEQUENCE IF EXISTS ${quoteTableName({ ...this.table, name: String(name) })}`).catch(() => undefined);
    }
  }

  private prefix(): string {
    return `${HIDDEN_PREFIX}${this.table.name}$`;
  }
}
