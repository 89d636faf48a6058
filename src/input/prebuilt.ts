/**
 * The embedded data, prebuilt: `npm run build` loads the data folder the package ships (data/) once
 * through the CSV readers and writes the result to dist/embedded-data.bin (prebuilt-write.ts); a
 * command on the embedded data then reads that instead of parsing every CSV again, which was most of
 * its start-up time (cli/common.ts; the CSV readers are then not even loaded).
 *
 * It is used only while it is certainly what the CSVs give: its header records the size and
 * modification time of every file in data/, of the compiled loader (dist/input/*.js) and of the
 * country list it read, and the Node version; on any difference (a user editing data/, a rebuild of
 * the loader without the prebuild, another Node) the files are read as CSV, as before.
 *
 * The payload is JSON with tagged values for what JSON lacks (Map, Set, typed arrays, undefined,
 * NaN, -0), and typed arrays as binary after it. JSON because JSON.parse is quick and makes one
 * string of each repeated text (a material, a stage, a country code), where a structured clone makes
 * one per occurrence: the data then costs the garbage collector far less for the rest of the run.
 */
import { closeSync, fstatSync, openSync, readdirSync, readSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { primeBuiltInCountries, type Country } from '../domain/countries.js';
import type { Dataset } from './dataset.js';
import { TradeCoverage, type TradeCoverageSnapshot } from './coverage-index.js';
import { TradeTable, type TradeTableSnapshot } from './trade-table.js';

/** Bumped when the layout of the file or of its payload changes. */
const FORMAT = 2;

/** The data folder the package ships, which commands read without --data. */
export function embeddedDataDir(): string {
  return fileURLToPath(new URL('../../data/', import.meta.url));
}

/** dist/embedded-data.bin beside the compiled modules (never present beside the TypeScript sources). */
export function prebuiltFile(): string {
  return fileURLToPath(new URL('../embedded-data.bin', import.meta.url));
}

export function isEmbeddedDataDir(dir: string): boolean {
  return resolve(dir) === resolve(embeddedDataDir());
}

/**
 * What the prebuilt file stores of a dataset: its plain data with the trade table as its columns,
 * and its coverage index (so that a run restores the index instead of building it from the facts).
 */
export function datasetSnapshot(dataset: Dataset): { dataset: unknown; coverageIndex: TradeCoverageSnapshot } {
  return { dataset: { ...dataset, trade: dataset.trade.snapshot() }, coverageIndex: TradeCoverage.of(dataset).snapshot() };
}

/**
 * The embedded data as `npm run build` prebuilt it (prebuilt-write.ts), when data/ still holds
 * what it was made from; else null (the caller then reads the CSVs). Lists of facts are decoded on
 * first use (see decodeLazily): a report never reads coverage.csv's facts, only the restored index.
 */
export function prebuiltDataset(dataDir: string, file = prebuiltFile()): Dataset | null {
  const payload = readPrebuilt(dataDir, file) as {
    dataset: Omit<Dataset, 'trade'> & { trade: TradeTableSnapshot | TradeTable };
    coverageIndex: TradeCoverageSnapshot;
    builtInCountries: [string, Country][];
  } | null;
  if (!payload) return null;
  primeBuiltInCountries(payload.builtInCountries);
  // The decoded object itself, not a spread copy: a spread would decode every lazy list at once.
  const dataset = payload.dataset;
  dataset.trade = TradeTable.restore(dataset.trade as TradeTableSnapshot);
  TradeCoverage.remember(dataset, TradeCoverage.restore(payload.coverageIndex));
  return dataset as Dataset;
}

/** What the prebuilt file was made from: [file, size, mtimeMs] of each input, and the Node version. */
export interface Fingerprint {
  format: number;
  node: string;
  files: [string, number, number][];
}

/** The fingerprint of the inputs as they are now; null when one cannot be read. */
export function fingerprint(dataDir: string): Fingerprint | null {
  try {
    const files: [string, number, number][] = [];
    const add = (label: string, path: string): void => {
      const info = statSync(path);
      files.push([label, info.size, info.mtimeMs]);
    };
    for (const name of readdirSync(dataDir).sort()) add(`data/${name}`, join(dataDir, name));
    // The loader itself (input/, its fast path and the field rules of domain/): a rebuild of it that
    // did not also rebuild this file makes the file stale.
    const loader = dirname(fileURLToPath(import.meta.url));
    for (const [label, dir] of [
      ['input', loader],
      ['input/fast', join(loader, 'fast')],
      ['domain', join(loader, '..', 'domain')],
    ] as const) {
      for (const name of readdirSync(dir).sort()) if (name.endsWith('.js')) add(`${label}/${name}`, join(dir, name));
    }
    const require = createRequire(import.meta.url);
    for (const id of ['i18n-iso-countries/index.js', 'i18n-iso-countries/langs/en.json', 'i18n-iso-countries/codes.json']) add(id, require.resolve(id));
    return { format: FORMAT, node: process.version, files };
  } catch {
    return null;
  }
}

/*
 * File layout: u32 header length, header (the fingerprint, JSON), u32 payload length, payload
 * (JSON), then binary data (typed arrays and columns), each part at an offset the payload names,
 * a multiple of 8.
 */

/**
 * The payload written for `dataDir`, or null when there is no prebuilt file or it was made from
 * other inputs than those there now.
 */
export function readPrebuilt(dataDir: string, file = prebuiltFile()): unknown {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    // The whole file in one ArrayBuffer, read once (the size of the file this descriptor reads: a
    // rebuild may have renamed another over the path since). The writer pads the payload so that
    // the binary part starts at a multiple of 8, and every column is an aligned view into it.
    const bytes = Buffer.allocUnsafeSlow(fstatSync(fd).size);
    if (bytes.length < 8 || readSync(fd, bytes, 0, bytes.length, 0) !== bytes.length) return null;
    const view = new DataView(bytes.buffer);
    const headerEnd = 4 + view.getUint32(0, true);
    const now = fingerprint(dataDir);
    if (now === null || Buffer.from(bytes.buffer, 4, headerEnd - 4).toString('utf8') !== JSON.stringify(now)) return null;
    const payloadEnd = headerEnd + 4 + view.getUint32(headerEnd, true);
    if (payloadEnd % 8 !== 0) return null;
    const { strings, root } = JSON.parse(Buffer.from(bytes.buffer, headerEnd + 4, payloadEnd - headerEnd - 4).toString('utf8')) as {
      strings: string[];
      root: unknown;
    };
    return decode(root, { strings, binary: bytes.buffer, base: payloadEnd });
  } catch {
    // A file cut short or written by something else: read the CSVs.
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Writes the payload with the fingerprint taken before its inputs were read (a temporary file, then a rename). */
export function writePrebuilt(print: Fingerprint, payload: unknown, file = prebuiltFile()): void {
  const out = new Encoder();
  const root = out.encode(payload);
  const header = Buffer.from(JSON.stringify(print), 'utf8');
  const text = JSON.stringify({ strings: out.strings, root });
  // Spaces after the JSON bring the binary part to a multiple of 8 in the file (JSON.parse skips them).
  const unpadded = 4 + header.length + 4 + Buffer.byteLength(text, 'utf8');
  const json = Buffer.from(text + ' '.repeat((8 - (unpadded % 8)) % 8), 'utf8');
  const u32 = (value: number): Buffer => {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32LE(value, 0);
    return bytes;
  };
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, Buffer.concat([u32(header.length), header, u32(json.length), json, ...out.blobs]));
  renameSync(temporary, file);
}

export function removePrebuilt(file = prebuiltFile()): void {
  try {
    unlinkSync(file);
  } catch {
    // Not there: nothing to remove.
  }
}

type TypedArray = Int32Array | Float64Array | Uint8Array | Uint32Array | Int16Array | Uint16Array | Float32Array | Int8Array;
const TYPED: Record<string, { new (buffer: ArrayBuffer, offset: number, length: number): TypedArray; BYTES_PER_ELEMENT: number }> = {
  Int8Array,
  Uint8Array,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
};

/** JSON gives back exactly this value: text, finite numbers but -0, booleans, null, and arrays and plain objects of those. */
function plain(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (typeof value !== 'object') return false;
  if (Array.isArray(value)) return isPlainArray(value) && value.every(plain);
  return isPlainObject(value) && Object.keys(value).every((key) => plain((value as Record<string, unknown>)[key]));
}

function isPlainArray(value: unknown): value is unknown[] {
  return Array.isArray(value) && Object.getPrototypeOf(value) === Array.prototype && Object.keys(value).length === value.length;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype && !Object.keys(value).includes('__proto__');
}

const isInt32 = (value: unknown): boolean => typeof value === 'number' && (value | 0) === value && !Object.is(value, -0);

/** Rows of this many objects of one shape and more are stored in columns. */
const MIN_COLUMN_ROWS = 16;

/**
 * A value as JSON plus binary parts. A plain part is `{"$p": value}` (read back as it is); the rest
 * is tagged: `$a` array, `$o` object, `$m` Map, `$s` Set, `$t` typed array, `$n` a number JSON
 * lacks, `$u` undefined, and in columns (texts as numbers into the payload's list of texts): `$c`
 * rows of objects of one shape, `$ms` a Map of texts to Sets of whole numbers, `$mm` a Map of texts
 * to Maps of whole numbers to numbers. Anything else (a class instance, a function) cannot be
 * prebuilt: it throws.
 */
class Encoder {
  readonly strings: string[] = [];
  readonly blobs: Buffer[] = [];
  private readonly stringIds = new Map<string, number>();
  private bytes = 0;

  encode(value: unknown): unknown {
    if (value === undefined) return { $u: 1 };
    if (typeof value === 'number' && !plain(value)) return { $n: Object.is(value, -0) ? '-0' : String(value) };
    if (value === null || typeof value !== 'object') {
      if (!plain(value)) throw new Error(`cannot prebuild a ${typeof value}`);
      return value;
    }
    if (ArrayBuffer.isView(value)) {
      const name = value.constructor.name;
      if (!(name in TYPED) || value instanceof DataView) throw new Error(`cannot prebuild a ${name}`);
      return { $t: name, o: this.blob(Buffer.from(value.buffer, value.byteOffset, value.byteLength)), n: value.byteLength };
    }
    if (value instanceof Map)
      return this.mapOfSets(value) ?? this.mapOfMaps(value) ?? { $m: [...value].map(([key, item]) => [this.encode(key), this.encode(item)]) };
    if (value instanceof Set) return { $s: [...value].map((item) => this.encode(item)) };
    if (isPlainArray(value)) {
      const columns = this.columns(value);
      if (columns) return columns;
      if (plain(value)) return { $p: value };
      return { $a: value.map((item) => this.encode(item)) };
    }
    if (isPlainObject(value)) {
      if (plain(value)) return { $p: value };
      const fields: Record<string, unknown> = {};
      for (const key of Object.keys(value)) fields[key] = this.encode(value[key]);
      return { $o: fields };
    }
    throw new Error(`cannot prebuild a ${(value as object).constructor?.name ?? 'object'}`);
  }

  /** Many objects with the same keys in the same order, all of primitive values: as columns; else null. */
  private columns(rows: unknown[]): unknown {
    if (rows.length < MIN_COLUMN_ROWS || !rows.every(isPlainObject)) return null;
    const objects = rows as Record<string, unknown>[];
    const keys = Object.keys(objects[0] ?? {});
    const shape = keys.join('\u0000');
    if (!objects.every((row) => Object.keys(row).join('\u0000') === shape)) return null;
    const cols = keys.map((key) => {
      const values = objects.map((row) => row[key]);
      if (values.every((item) => typeof item === 'string'))
        return { s: this.blob(Buffer.from(Int32Array.from(values as string[], (text) => this.text(text)).buffer)) };
      if (values.every((item) => typeof item === 'string' || item === null)) {
        return { sn: this.blob(Buffer.from(Int32Array.from(values as (string | null)[], (text) => (text === null ? -1 : this.text(text))).buffer)) };
      }
      if (values.every(isInt32)) return { i: this.blob(Buffer.from(Int32Array.from(values as number[]).buffer)) };
      if (values.every((item) => typeof item === 'number')) return { f: this.blob(Buffer.from(Float64Array.from(values as number[]).buffer)) };
      return { j: values.map((item) => this.encode(item)) };
    });
    return { $c: { keys, cols, n: rows.length } };
  }

  /** A Map from texts to Sets of whole numbers (years by series): as columns; else null. */
  private mapOfSets(map: Map<unknown, unknown>): unknown {
    const entries = [...map];
    if (!entries.every(([key, item]) => typeof key === 'string' && item instanceof Set && [...item].every(isInt32))) return null;
    const offsets = [0];
    const items: number[] = [];
    for (const [, item] of entries) {
      items.push(...(item as Set<number>));
      offsets.push(items.length);
    }
    return {
      $ms: {
        keys: this.blob(Buffer.from(Int32Array.from(entries, ([key]) => this.text(key as string)).buffer)),
        offsets: this.blob(Buffer.from(Int32Array.from(offsets).buffer)),
        items: this.blob(Buffer.from(Int32Array.from(items).buffer)),
        n: entries.length,
        total: items.length,
      },
    };
  }

  /** A Map from texts to Maps of whole numbers to numbers (scores by country and year): as columns; else null. */
  private mapOfMaps(map: Map<unknown, unknown>): unknown {
    const entries = [...map];
    const valid = entries.every(
      ([key, item]) => typeof key === 'string' && item instanceof Map && [...item].every(([year, score]) => isInt32(year) && typeof score === 'number'),
    );
    if (!valid) return null;
    const offsets = [0];
    const innerKeys: number[] = [];
    const innerValues: number[] = [];
    for (const [, item] of entries) {
      for (const [year, score] of item as Map<number, number>) {
        innerKeys.push(year);
        innerValues.push(score);
      }
      offsets.push(innerKeys.length);
    }
    return {
      $mm: {
        keys: this.blob(Buffer.from(Int32Array.from(entries, ([key]) => this.text(key as string)).buffer)),
        offsets: this.blob(Buffer.from(Int32Array.from(offsets).buffer)),
        innerKeys: this.blob(Buffer.from(Int32Array.from(innerKeys).buffer)),
        innerValues: this.blob(Buffer.from(Float64Array.from(innerValues).buffer)),
        n: entries.length,
        total: innerKeys.length,
      },
    };
  }

  private text(value: string): number {
    let id = this.stringIds.get(value);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(value);
      this.stringIds.set(value, id);
    }
    return id;
  }

  /** Appends bytes, padded to a multiple of 8; returns their offset. */
  private blob(bytes: Buffer): number {
    const offset = this.bytes;
    const padded = Math.ceil(bytes.length / 8) * 8;
    this.blobs.push(Buffer.from(bytes), Buffer.alloc(padded - bytes.length));
    this.bytes += padded;
    return offset;
  }
}

interface Parts {
  strings: string[];
  /** The buffer holding the binary part, which starts at `base`; offsets in the payload are from there. */
  binary: ArrayBuffer;
  base: number;
}

function decode(value: unknown, parts: Parts): unknown {
  if (value === null || typeof value !== 'object') return value;
  const tagged = value as Record<string, unknown>;
  if ('$p' in tagged) return tagged.$p;
  if ('$c' in tagged) return decodeColumns(tagged.$c as Columns, parts);
  if ('$a' in tagged) return (tagged.$a as unknown[]).map((item) => decode(item, parts));
  if ('$ms' in tagged) {
    const { keys, offsets, items, n, total } = tagged.$ms as { keys: number; offsets: number; items: number; n: number; total: number };
    const keyIds = new Int32Array(parts.binary, parts.base + keys, n);
    const bounds = new Int32Array(parts.binary, parts.base + offsets, n + 1);
    const values = new Int32Array(parts.binary, parts.base + items, total);
    const map = new Map<string, Set<number>>();
    // Each Set from a view of its run of values: the Set constructor's own loop, not one add() call a value.
    for (let k = 0; k < n; k += 1) map.set(parts.strings[keyIds[k] ?? 0] ?? '', new Set(values.subarray(bounds[k] ?? 0, bounds[k + 1] ?? 0)));
    return map;
  }
  if ('$mm' in tagged) {
    const { keys, offsets, innerKeys, innerValues, n, total } = tagged.$mm as {
      keys: number;
      offsets: number;
      innerKeys: number;
      innerValues: number;
      n: number;
      total: number;
    };
    const keyIds = new Int32Array(parts.binary, parts.base + keys, n);
    const bounds = new Int32Array(parts.binary, parts.base + offsets, n + 1);
    const years = new Int32Array(parts.binary, parts.base + innerKeys, total);
    const scores = new Float64Array(parts.binary, parts.base + innerValues, total);
    const map = new Map<string, Map<number, number>>();
    for (let k = 0; k < n; k += 1) {
      const inner = new Map<number, number>();
      for (let at = bounds[k] ?? 0; at < (bounds[k + 1] ?? 0); at += 1) inner.set(years[at] ?? 0, scores[at] ?? 0);
      map.set(parts.strings[keyIds[k] ?? 0] ?? '', inner);
    }
    return map;
  }
  if ('$o' in tagged) {
    const object: Record<string, unknown> = {};
    const fields = tagged.$o as Record<string, unknown>;
    for (const key of Object.keys(fields)) {
      const field = fields[key];
      if (field !== null && typeof field === 'object' && '$c' in field) decodeLazily(object, key, () => decode(field, parts));
      else object[key] = decode(field, parts);
    }
    return object;
  }
  if ('$m' in tagged) {
    const map = new Map<unknown, unknown>();
    const entries = tagged.$m as [unknown, unknown][];
    for (let k = 0; k < entries.length; k += 1) {
      const entry = entries[k] as [unknown, unknown];
      map.set(decode(entry[0], parts), decode(entry[1], parts));
    }
    return map;
  }
  if ('$s' in tagged) {
    const set = new Set<unknown>();
    const items = tagged.$s as unknown[];
    for (let k = 0; k < items.length; k += 1) set.add(decode(items[k], parts));
    return set;
  }
  if ('$t' in tagged) {
    const kind = TYPED[tagged.$t as string];
    if (!kind) throw new Error('unknown typed array');
    // A view into the file's buffer, not a copy: the values stored this way (a finished trade table's
    // columns, the coverage index) are never written again, and a copy is fresh memory to fault in
    // (the embedded report: about 350 fewer page faults and 2 MB less memory than with copies).
    return new kind(parts.binary, parts.base + (tagged.o as number), (tagged.n as number) / kind.BYTES_PER_ELEMENT);
  }
  if ('$n' in tagged) return Number(tagged.$n);
  if ('$u' in tagged) return undefined;
  throw new Error('unknown tag');
}

/**
 * A field decoded when first read (or replaced when first written), then a plain property in the
 * same place among the object's keys. Rows of objects cost a run most to make and to keep (each
 * survives the young generation); a field no command path reads is never made.
 */
function decodeLazily(object: Record<string, unknown>, key: string, make: () => unknown): void {
  const settle = (value: unknown): void => {
    Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  };
  Object.defineProperty(object, key, {
    enumerable: true,
    configurable: true,
    get: () => {
      const value = make();
      settle(value);
      return value;
    },
    set: settle,
  });
}

interface Columns {
  keys: string[];
  cols: ({ s: number } | { sn: number } | { i: number } | { f: number } | { j: unknown[] })[];
  n: number;
}

/**
 * Rows of objects from their columns. The objects are made by a function written for their keys
 * (an object literal), so that every row gets the same hidden class at once, as the readers' own
 * object literals did.
 */
function decodeColumns(columns: Columns, parts: Parts): unknown[] {
  const { keys, cols, n } = columns;
  const data: ArrayLike<unknown>[] = [];
  const reads: string[] = [];
  cols.forEach((col, k) => {
    if ('s' in col) {
      data.push(new Int32Array(parts.binary, parts.base + col.s, n));
      reads.push(`t[c[${k}][i]]`);
    } else if ('sn' in col) {
      data.push(new Int32Array(parts.binary, parts.base + col.sn, n));
      reads.push(`(c[${k}][i] < 0 ? null : t[c[${k}][i]])`);
    } else if ('i' in col) {
      data.push(new Int32Array(parts.binary, parts.base + col.i, n));
      reads.push(`c[${k}][i]`);
    } else if ('f' in col) {
      data.push(new Float64Array(parts.binary, parts.base + col.f, n));
      reads.push(`c[${k}][i]`);
    } else {
      data.push(col.j.map((item) => decode(item, parts)));
      reads.push(`c[${k}][i]`);
    }
  });
  const row = new Function('c', 't', 'i', `return { ${keys.map((key, k) => `${JSON.stringify(key)}: ${reads[k]}`).join(', ')} };`) as (
    c: ArrayLike<unknown>[],
    t: string[],
    i: number,
  ) => unknown;
  const rows: unknown[] = [];
  for (let i = 0; i < n; i += 1) rows.push(row(data, parts.strings, i));
  return rows;
}
