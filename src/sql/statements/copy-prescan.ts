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
 * Null when neither (or when the file is gzip, which DuckDB checks as it inflates it); the error names
 * the line and character. Reads the file once into one reused 8 MB buffer, finding only one newline
 * per 2 MB and carrying only the current line's start, so the check costs about one read of the file
 * and no copy of it.
 */
export async function unreadableText(path: string): Promise<CsvRowError | null> {
  const file = await open(path, 'r');
  try {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    // Byte offsets in the file: where the current line starts, and where the chunk in hand starts.
    let lineStart = 0;
    for (let base = 0; ; ) {
      const { bytesRead } = await file.read(chunk, 0, CHUNK_BYTES, null);
      if (base === 0) {
        // A gzip file (PUT compresses by default) is DuckDB's to inflate; its bytes are not the text.
        if (bytesRead >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b) return null;
        const nul = chunk.subarray(0, Math.min(bytesRead, BINARY_PROBE_BYTES)).indexOf(0);
        if (nul >= 0) return rowError('File is binary, not delimited text: it holds a NUL byte (0x00)', chunk.subarray(0, bytesRead), nul);
      }
      const read = chunk.subarray(0, bytesRead);
      const end = base + bytesRead;
      while (end - lineStart > MAX_LINE_BYTES) {
        // The last newline within MAX_LINE_BYTES of the line's start, looked for in this read only
        // (the line's earlier bytes, in reads already done, hold none: see below).
        const limit = lineStart + MAX_LINE_BYTES - base;
        const nl = limit < 0 ? -1 : read.lastIndexOf(NEWLINE, limit);
        if (nl < 0 || base + nl < lineStart) return await longLine(file, lineStart);
        lineStart = base + nl + 1;
      }
      if (bytesRead === 0) return null;
      // The next read continues the line after this read's last newline.
      const last = read.lastIndexOf(NEWLINE);
      if (last >= 0) lineStart = Math.max(lineStart, base + last + 1);
      base = end;
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
