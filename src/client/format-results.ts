import { invalid } from '../core/errors.js';
import type { StatementResult } from './sql-client.js';

export const OUTPUT_FORMATS = ['table', 'csv', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function parseOutputFormat(value: string): OutputFormat {
  const format = value.toLowerCase();
  if ((OUTPUT_FORMATS as readonly string[]).includes(format)) return format as OutputFormat;
  throw invalid(`--format must be one of ${OUTPUT_FORMATS.join(', ')}, got ${JSON.stringify(value)}`);
}

/** Whether a result has a row set to print (commands that only report a message have none). */
export const hasRowSet = (r: StatementResult): boolean => r.columns.length > 0;

export function formatResult(r: StatementResult, format: OutputFormat): string {
  if (format === 'csv') return formatCsv(r);
  if (format === 'json') return formatJson(r);
  return formatTable(r);
}

const NUMERIC_TYPE = /^(NUMBER|DECIMAL|NUMERIC|INT|INTEGER|BIGINT|SMALLINT|TINYINT|BYTEINT|FLOAT|FLOAT4|FLOAT8|DOUBLE|REAL)\b/i;

/** Cells wider than this wrap onto continuation lines, so a VARIANT or a long description stays readable. */
export const TABLE_CELL_WIDTH = 80;

/** A worksheet-style grid: numbers right-aligned, NULL spelt out, line breaks shown as \n, long cells wrapped. */
export function formatTable(r: StatementResult): string {
  const header = r.columns.map((c) => c.name);
  const cells = r.rows.map((row) => row.map((v) => wrapCell(tableCell(v))));
  const widths = header.map((h, j) => Math.max(h.length, ...cells.flatMap((row) => (row[j] ?? []).map((l) => l.length))));
  const right = r.columns.map((c, j) => NUMERIC_TYPE.test(c.type) || r.rows.some((row) => typeof row[j] === 'number'));
  const rule = (edge: string) => edge + widths.map((w) => '-'.repeat(w + 2)).join('+') + edge;
  const line = (values: string[], align: boolean[]) =>
    '| ' + values.map((v, j) => (align[j] ? v.padStart(widths[j]) : v.padEnd(widths[j]))).join(' | ') + ' |';
  const physical = (row: string[][]) => {
    const height = Math.max(1, ...row.map((c) => c.length));
    return Array.from({ length: height }, (_, k) =>
      line(
        row.map((c) => c[k] ?? ''),
        right,
      ),
    );
  };
  return (
    [
      rule('+'),
      line(
        header,
        header.map(() => false),
      ),
      rule('|'),
      ...cells.flatMap(physical),
      rule('+'),
    ].join('\n') + '\n'
  );
}

function tableCell(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  return text(v).replace(/\r?\n/g, '\\n');
}

/** Splits a long cell into lines of at most TABLE_CELL_WIDTH, after a comma or space when one is near the end. */
function wrapCell(cell: string): string[] {
  const lines: string[] = [];
  let rest = cell;
  while (rest.length > TABLE_CELL_WIDTH) {
    const window = rest.slice(0, TABLE_CELL_WIDTH);
    const soft = Math.max(window.lastIndexOf(', ') + 2, window.lastIndexOf(' ') + 1, window.lastIndexOf(',') + 1);
    const cut = soft > TABLE_CELL_WIDTH / 2 ? soft : TABLE_CELL_WIDTH;
    lines.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut);
  }
  lines.push(rest);
  return lines;
}

/** RFC 4180: a header line, fields quoted when they hold a comma, quote or line break; NULL is empty. */
export function formatCsv(r: StatementResult): string {
  const field = (v: unknown) => {
    if (v === null || v === undefined) return '';
    const s = text(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [r.columns.map((c) => field(c.name)), ...r.rows.map((row) => row.map(field))].map((f) => f.join(',')).join('\n') + '\n';
}

/**
 * One line: the rows as an array of objects keyed by column name, in column order. Columns that
 * share a name (Snowflake names `v:a` and `v:A` alike) each keep their member, as JSON allows.
 */
export function formatJson(r: StatementResult): string {
  const keys = r.columns.map((c) => `${JSON.stringify(c.name)}:`);
  const rows = r.rows.map((row) => `{${keys.map((k, j) => k + JSON.stringify(row[j] ?? null)).join(',')}}`);
  return `[${rows.join(',')}]\n`;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}
