/**
 * Streaming CSV reading with the checks every data file needs before its rows mean anything:
 * the file exists and is a file, it is UTF-8 text (not UTF-16, Latin-1 or binary), its header has
 * the required columns once each, and each record has as many fields as the header.
 * Rows are handed to a callback one at a time so memory does not grow with the file.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse, CsvError } from 'csv-parse';
import { type Problem } from './problems.js';

export interface CsvColumns {
  /** Header names, trimmed and lower-cased, in file order. */
  names: string[];
  /** Position of each known column in a record. */
  index: Map<string, number>;
}

export interface CsvSpec {
  /** The name shown in messages (usually the file name relative to the data folder). */
  label: string;
  required: readonly string[];
  optional?: readonly string[];
}

export interface CsvReadResult {
  /** Data records seen after the header, blank ones included. */
  rowsRead: number;
  /** Records whose every field is empty (spreadsheet padding); they carry no data. */
  rowsBlank: number;
}

export interface RowSink {
  /** A record with as many fields as the header. */
  row(fields: string[], line: number, columns: CsvColumns): void;
  /** A record that cannot be read as a row (ragged); the reading goes on. */
  reject(problem: Problem): void;
}

/** A record larger than this is not a data row of ours; csv-parse stops instead of buffering it. */
const MAX_RECORD_BYTES = 1 << 20;

/** A problem that stops the reading of a file (as opposed to a problem in one row). */
export class FileProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}

export async function readCsv(path: string, spec: CsvSpec, sink: RowSink): Promise<CsvReadResult> {
  await assertReadableFile(path, spec.label);
  const result: CsvReadResult = { rowsRead: 0, rowsBlank: 0 };
  let columns: CsvColumns | undefined;
  const parser = parse({
    bom: true,
    info: true,
    skip_empty_lines: true,
    relax_column_count: true,
    max_record_size: MAX_RECORD_BYTES,
  });
  const consumer = new Writable({
    objectMode: true,
    write(chunk: { record: string[]; info: { lines: number } }, _enc, done) {
      try {
        const { record, info } = chunk;
        if (!columns) {
          columns = checkHeader(record, spec, info.lines);
        } else {
          result.rowsRead += 1;
          if (record.every((field) => field.trim() === '')) result.rowsBlank += 1;
          else if (record.length !== columns.names.length) {
            sink.reject({
              file: spec.label,
              line: info.lines,
              message: `expected ${columns.names.length} fields as in the header, found ${record.length}`,
            });
          } else sink.row(record, info.lines, columns);
        }
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
  try {
    await pipeline(createReadStream(path), encodingGuard(spec.label), parser, consumer);
  } catch (error) {
    throw toFileProblem(error, spec.label);
  }
  if (!columns) {
    throw new FileProblem({
      file: spec.label,
      message: `file is empty: expected a header line with the columns ${spec.required.join(',')}`,
    });
  }
  return result;
}

async function assertReadableFile(path: string, label: string): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new FileProblem({ file: label, message: 'file not found' });
  }
  if (info.isDirectory()) throw new FileProblem({ file: label, message: 'is a directory, expected a CSV file' });
  if (!info.isFile()) throw new FileProblem({ file: label, message: 'is not a regular file' });
}

function checkHeader(record: string[], spec: CsvSpec, line: number): CsvColumns {
  const names = record.map((name) => name.trim().toLowerCase());
  const index = new Map<string, number>();
  const known = new Set([...spec.required, ...(spec.optional ?? [])]);
  names.forEach((name, position) => {
    if (!known.has(name)) return;
    if (index.has(name)) {
      throw new FileProblem({
        file: spec.label,
        line,
        column: position + 1,
        message: `column "${name}" appears twice in the header`,
      });
    }
    index.set(name, position);
  });
  const missing = spec.required.filter((name) => !index.has(name));
  if (missing.length > 0) {
    throw new FileProblem({ file: spec.label, line, message: missingColumnsMessage(missing, record) });
  }
  return { names, index };
}

function missingColumnsMessage(missing: string[], header: string[]): string {
  const plural = missing.length > 1 ? 's' : '';
  let message = `missing required column${plural} ${missing.join(', ')}`;
  const only = header.length === 1 ? (header[0] ?? '') : '';
  if (only.includes(';')) message += ' (the header looks semicolon-separated; supply-risk reads comma-separated files)';
  else if (only.includes('\t')) message += ' (the header looks tab-separated; supply-risk reads comma-separated files)';
  else if (header.length === 1 || header.every((name) => name.trim() === '')) {
    message += ' (the first line does not look like a header)';
  }
  return message;
}

/**
 * Rejects files that are not UTF-8 text before the parser turns their bytes into replacement
 * characters: UTF-16 (by its byte-order mark), binary data (NUL bytes) and invalid UTF-8 such as
 * Latin-1 exports, naming the line of the first bad byte.
 */
function encodingGuard(label: string): Transform {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let linesBefore = 0;
  let first = true;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (first) {
        first = false;
        if (chunk.length >= 2 && ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff))) {
          return done(new FileProblem({ file: label, message: 'file is UTF-16 encoded; save it as UTF-8 CSV' }));
        }
      }
      const nul = chunk.indexOf(0);
      if (nul >= 0) {
        const line = linesBefore + countNewlines(chunk, 0, nul) + 1;
        return done(new FileProblem({ file: label, line, message: 'file contains binary data (a NUL byte); expected UTF-8 CSV text' }));
      }
      try {
        decoder.decode(chunk, { stream: true });
      } catch {
        const offset = firstInvalidUtf8(chunk);
        const line = linesBefore + countNewlines(chunk, 0, offset) + 1;
        return done(
          new FileProblem({ file: label, line, message: 'invalid UTF-8 byte (is the file Latin-1 or Windows-1252?); save it as UTF-8' }),
        );
      }
      linesBefore += countNewlines(chunk, 0, chunk.length);
      done(null, chunk);
    },
    flush(done) {
      try {
        decoder.decode();
        done();
      } catch {
        done(new FileProblem({ file: label, line: linesBefore + 1, message: 'file ends inside a UTF-8 character; save it as UTF-8' }));
      }
    },
  });
}

function countNewlines(buffer: Buffer, from: number, to: number): number {
  let count = 0;
  for (let i = buffer.indexOf(10, from); i >= 0 && i < to; i = buffer.indexOf(10, i + 1)) count += 1;
  return count;
}

/** Offset of the first byte that cannot start or continue a UTF-8 sequence (a best effort at chunk edges). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < 3 && i < bytes.length && ((bytes[i] ?? 0) & 0xc0) === 0x80) i += 1; // tail of a sequence cut by the chunk
  while (i < bytes.length) {
    const byte = bytes[i] ?? 0;
    const length = byte < 0x80 ? 1 : byte >= 0xc2 && byte < 0xe0 ? 2 : byte >= 0xe0 && byte < 0xf0 ? 3 : byte >= 0xf0 && byte < 0xf5 ? 4 : 0;
    if (length === 0) return i;
    for (let k = 1; k < length; k += 1) {
      if (i + k >= bytes.length) return bytes.length;
      if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    }
    i += length;
  }
  return bytes.length;
}

const CSV_ERROR_TEXT: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed (unterminated quote)',
  CSV_INVALID_CLOSING_QUOTE: 'a quote inside a field must be doubled ("") or the field quoted',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'unexpected characters after a closing quote',
  CSV_MAX_RECORD_SIZE: `a record is longer than ${MAX_RECORD_BYTES} bytes; this is not a data row`,
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'the record has a different number of fields than the header',
  INVALID_OPENING_QUOTE: 'a quote appears in the middle of an unquoted field',
};

function toFileProblem(error: unknown, label: string): Error {
  if (error instanceof FileProblem) return error;
  if (error instanceof CsvError) {
    const lines = (error as unknown as { lines?: number }).lines;
    const text = CSV_ERROR_TEXT[error.code] ?? error.message;
    return new FileProblem({ file: label, ...(lines ? { line: lines } : {}), message: text });
  }
  if (error instanceof Error && 'problems' in error) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new FileProblem({ file: label, message: `cannot be read: ${message}` });
}
