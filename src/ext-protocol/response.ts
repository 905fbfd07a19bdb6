import { RecpipeError } from '../core/errors.js';

/**
 * Snowflake refuses a response batch over 10 MB; counted in decimal megabytes, which is also under
 * 10 MiB, so an answer that passes here passes Snowflake whichever it means.
 */
export const MAX_BATCH_BYTES = 10_000_000;

/**
 * `{"data": [[row, value], …]}`: one output row per input row, in order, row numbers as sent.
 * Written directly, without a pair array per row: a scored batch is thousands of plain numbers,
 * and the caller waits on every batch. Non-finite numbers and undefined become null,
 * as JSON.stringify has them (row numbers were checked finite when the batch was parsed).
 */
export function encodeResponse(rowNumbers: readonly number[], values: readonly unknown[], maxBytes = MAX_BATCH_BYTES): string {
  let text = '{"data":[';
  for (let r = 0; r < rowNumbers.length; r++) {
    const v = values[r];
    const json = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'null') : ((JSON.stringify(v) as string | undefined) ?? 'null');
    text += `${r === 0 ? '' : ','}[${String(rowNumbers[r])},${json}]`;
  }
  text += ']}';
  // JSON.stringify escapes nothing outside ASCII, so the UTF-8 size is only measured when the length is near the limit.
  if (text.length * 3 > maxBytes) {
    const bytes = new TextEncoder().encode(text).length;
    if (bytes > maxBytes) {
      throw new PayloadTooLarge(
        `the answer to this batch of ${rowNumbers.length} rows would be ${bytes} bytes, over Snowflake's 10 MB (${maxBytes} bytes) batch limit; lower the function's MAX_BATCH_ROWS`,
      );
    }
  }
  return text;
}

/** A batch over Snowflake's size limit: the HTTP edge answers 413 (the limit is per batch, so a retry of the same batch cannot succeed). */
export class PayloadTooLarge extends RecpipeError {
  constructor(message: string) {
    super('RESOURCE_EXHAUSTED', message, { httpStatus: 413 });
  }
}
