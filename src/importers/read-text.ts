/**
 * Reading the small publisher files (USGS, WGI, ITC) whole: they are a few kilobytes each, so a
 * synchronous parse of the text is simpler than a stream and costs nothing. Large files (BACI,
 * Comtrade) are streamed by their own importers.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parse } from 'csv-parse/sync';
import { InputError } from '../domain/problems.js';

/** A regular file's bytes; a missing file or another kind of file is an InputError. */
export async function readFileBytes(path: string): Promise<Buffer> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new InputError([{ file: basename(path), message: 'is not a regular file' }]);
    return await readFile(path);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError([{ file: path, message: 'file not found' }]);
  }
}

/** The file's text, with a UTF-8 byte-order mark removed; a missing or non-UTF-8 file is an InputError. */
export async function readTextFile(path: string): Promise<string> {
  const label = basename(path);
  const bytes = await readFileBytes(path);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InputError([{ file: label, message: 'is not UTF-8 text' }]);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Parses delimited text into records of strings; ragged records are kept as they are. */
export function parseDelimited(text: string, label: string, delimiter = ','): string[][] {
  try {
    return parse(text, { delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: false }) as string[][];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new InputError([{ file: label, message: `cannot be parsed: ${message}` }]);
  }
}

export function isBlank(record: readonly string[]): boolean {
  return record.every((field) => field.replace(/[\u00a0\s]/g, '') === '');
}
