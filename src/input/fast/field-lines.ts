/**
 * A fast path for the small side files (coverage.csv, governance.csv), as trade-lines.ts is for
 * trade rows: a line is split from its bytes (quoted fields included, as splitQuotedLine splits
 * them), each field the file's reader needs is parsed by the same parser the plain path uses (the
 * few distinct texts of a column once each), and the values go to the same function the plain path
 * ends in. Any line it is not sure of (a parser's error, a quoted field it would read, a field count
 * that differs) goes to the plain path, which gives the exact message.
 */
import { ParsedFieldCache, splitQuotedFields } from './byte-fields.js';
import type { CsvColumns } from '../csv.js';
import { FieldError } from '../../domain/fields.js';
import type { LineOutcome } from './trade-lines.js';

export interface FieldSpec {
  /** The column, as the plain path asks for it (an absent optional column reads as ''). */
  name: string;
  parse: (raw: string) => unknown;
  /** Parse every row's text anew rather than keep each distinct text's value (columns of mostly distinct values). */
  uncached?: boolean;
}

/**
 * Reads `fields` of a line into one reused array and gives it to `take`, which returns the row's
 * outcome, or null to leave the row to the plain path (it must then have changed nothing).
 */
export function fieldLineReader(
  columns: CsvColumns,
  fields: readonly FieldSpec[],
  take: (values: unknown[], line: number) => LineOutcome,
): ((bytes: Uint8Array, start: number, end: number, line: number) => LineOutcome) | undefined {
  const fieldCount = columns.names.length;
  const starts = new Int32Array(fieldCount + 1);
  const quoted = new Uint8Array(fieldCount);
  const values: unknown[] = new Array<unknown>(fields.length).fill(undefined);
  const decoder = new TextDecoder();
  const readers: ((bytes: Uint8Array) => unknown)[] = [];
  for (const [k, field] of fields.entries()) {
    const column = columns.index.get(field.name);
    if (column === undefined) {
      // An absent optional column: the plain path parses '' for every row, so its value is fixed.
      let value: unknown;
      try {
        value = field.parse('');
      } catch (error) {
        if (error instanceof FieldError) return undefined;
        throw error;
      }
      values[k] = value;
      continue;
    }
    const from = (): number => starts[column] ?? 0;
    const to = (): number => (starts[column + 1] ?? 0) - 1;
    if (field.uncached) {
      readers[k] = (bytes) => {
        if (quoted[column]) return undefined;
        try {
          return field.parse(decoder.decode(bytes.subarray(from(), to())));
        } catch (error) {
          if (error instanceof FieldError) return undefined;
          throw error;
        }
      };
    } else {
      const cache = new ParsedFieldCache(field.parse);
      readers[k] = (bytes) => (quoted[column] ? undefined : cache.read(bytes, from(), to()));
    }
  }
  return (bytes, start, end, line) => {
    if (splitQuotedFields(bytes, start, end, starts, quoted, fieldCount) !== fieldCount) return null;
    for (let k = 0; k < readers.length; k += 1) {
      const read = readers[k];
      if (!read) continue;
      const value = read(bytes);
      // No parser of ours returns undefined: it means the field was rejected (or quoted).
      if (value === undefined) return null;
      values[k] = value;
    }
    return take(values, line);
  };
}
