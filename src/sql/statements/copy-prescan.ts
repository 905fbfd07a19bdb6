import { open, type FileHandle } from 'node:fs/promises';
import type { CsvRowError } from '../../warehouse/index.js';

/**
 * DuckDB's max_line_size default. DuckDB reports longer lines only while they fit its read buffer;
 * a line longer than the buffer (tens of MB) is dropped without a word, so every line is checked here.
 */
export const MAX_LINE_BYTES = 2_000_000;
const CHUNK_BYTES = 8 << 20;
/** Text files have no NUL byte; a binary file almost always has one near its start. */
const BINARY_PROBE_BYTES = 64 << 10;
const NEWLINE = 0x0a;

/**
 * What makes a file unloadable as delimited text before DuckDB sees it: a NUL byte near its start
 * (a binary file, which would otherwise load as "LOADED, 0 rows") or a line over MAX_LINE_BYTES.
 * Null when neither (or when the file is gzip, checked by DuckDB as it inflates it); the error names the line and character. Reads the file once, in 8 MB chunks,
 * finding only one newline per 2 MB (so the check costs about one read of the file).
 */
export async function unreadableText(path: string): Promise<CsvRowError | null> {
  const file = await open(path, 'r');
  try {
    let carry: Buffer = Buffer.alloc(0);
    let base = 0;
    for (let first = true; ; first = false) {
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      const { bytesRead } = await file.read(chunk, 0, CHUNK_BYTES, null);
      const buf = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      // A gzip file (PUT compresses by default) is DuckDB's to inflate; its bytes are not the text.
      if (first && buf[0] === 0x1f && buf[1] === 0x8b) return null;
      if (first) {
        const nul = buf.subarray(0, BINARY_PROBE_BYTES).indexOf(0);
        if (nul >= 0) return rowError('File is binary, not delimited text: it holds a NUL byte (0x00)', buf, nul);
      }
      let p = 0;
      while (buf.length - p > MAX_LINE_BYTES) {
        const nl = buf.lastIndexOf(NEWLINE, p + MAX_LINE_BYTES);
        if (nl < p) return await longLine(file, base + p);
        p = nl + 1;
      }
      if (bytesRead === 0) return null;
      carry = Buffer.from(buf.subarray(p));
      base += p;
    }
  } finally {
    await file.close();
  }
}

function lineOf(buf: Buffer, at: number): number {
  let line = 1;
  for (let i = buf.indexOf(NEWLINE); i >= 0 && i < at; i = buf.indexOf(NEWLINE, i + 1)) line++;
  return line;
}

function rowError(message: string, buf: Buffer, at: number): CsvRowError {
  return { message, line: lineOf(buf, at), character: at - (buf.lastIndexOf(NEWLINE, at) + 1) + 1, columnName: null, columnPosition: null };
}

/** Only on failure: the line number of the line starting at `offset`, counted from the file's start. */
async function longLine(file: FileHandle, offset: number): Promise<CsvRowError> {
  let line = 1;
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  for (let at = 0; at < offset; ) {
    const { bytesRead } = await file.read(chunk, 0, Math.min(CHUNK_BYTES, offset - at), at);
    if (bytesRead === 0) break;
    for (let i = chunk.indexOf(NEWLINE); i >= 0 && i < bytesRead; i = chunk.indexOf(NEWLINE, i + 1)) line++;
    at += bytesRead;
  }
  return {
    message: `Maximum line size of ${MAX_LINE_BYTES} bytes exceeded: line ${line} is longer`,
    line,
    character: 1,
    columnName: null,
    columnPosition: null,
  };
}
