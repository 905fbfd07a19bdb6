import type { Column } from './api.js';

// The browser's own RFC 4180 writer: importing the server's (src/serving) would bundle src/core's algorithms too.
const quoted = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** A result as CSV: a header line; NULL is an empty field; structured values are their JSON. */
export function resultCsv(columns: readonly Column[], rows: readonly unknown[][]): string {
  const field = (v: unknown) => (v === null || v === undefined ? '' : quoted(typeof v === 'object' ? JSON.stringify(v) : String(v)));
  return [columns.map((c) => field(c.name)), ...rows.map((row) => row.map(field))].map((f) => f.join(',')).join('\r\n') + '\r\n';
}
