/**
 * The HS code map (`hs-codes.csv`: hs6,material,stage,content_factor,description): which traded
 * product counts for which material and stage, and how much of its weight is the material.
 *
 * With a content factor, trade quantities become tonnes of contained material (`t`), comparable
 * with production. Without one the quantity stays gross product weight and the unit says so
 * (`t gross`); the loader's one-unit-per-material-and-stage rule then keeps the two apart, which is
 * why gross products carry their own material id.
 *
 * Ores, mattes and other intermediates have no single factor: their grade depends on where they
 * come from. `content-factors.csv` next to the map (hs6,origin,content_factor,source) gives a factor
 * per exporting country; it overrides the code's own factor for that origin. A code with origin
 * factors and no factor of its own counts only for the origins listed: a flow from another origin
 * has no defensible factor and is skipped (see factorFor).
 */
import { basename, dirname, join } from 'node:path';
import { stat } from 'node:fs/promises';
import { parseMaterial, parseStage, FieldError, type Stage } from '../domain/fields.js';
import { InputError, type Problem } from '../domain/problems.js';
import { isBlank, parseDelimited, readTextFile } from './read-text.js';

export interface HsEntry {
  hs6: string;
  material: string;
  stage: Stage;
  /** Tonnes of material per tonne of product; null when the quantity stays gross weight (or only origins have one). */
  factor: number | null;
  unit: string;
  /** Factors by exporting country (ISO3), from content-factors.csv; absent or empty when there are none. */
  origins?: ReadonlyMap<string, number>;
}

/**
 * The map of six-digit codes, and apart from it the four-digit headings listed in hs-codes.csv
 * (`headings`): a heading row says the whole heading (every six-digit code inside it) counts for
 * its material and stage at its factor. A heading total is a sum of its six-digit codes, so the
 * importers never add it to a six-digit flow of the same declaration (see headingTotals in
 * comtrade.ts): it stands only for what the six-digit detail does not give.
 */
export type HsMap = ReadonlyMap<string, HsEntry> & { readonly headings?: ReadonlyMap<string, HsEntry> };

/** The heading entry of a four-digit code, when the map lists it. */
export function headingEntry(map: HsMap, code: string): HsEntry | undefined {
  return code.length === 4 ? map.headings?.get(code) : undefined;
}

/** The entry of a six-digit code, or of a four-digit heading the map lists. */
export function entryOf(map: HsMap, code: string): HsEntry | undefined {
  return map.get(code) ?? headingEntry(map, code);
}

export const GROSS_UNIT = 't gross';
export const CONTAINED_UNIT = 't';

const COLUMNS = ['hs6', 'material', 'stage', 'content_factor', 'description'] as const;

export const CONTENT_FACTORS_FILE = 'content-factors.csv';
const FACTOR_COLUMNS = ['hs6', 'origin', 'content_factor', 'source'] as const;

/**
 * The HS map, with the origin factors of `factorsPath` (by default content-factors.csv in the map's
 * folder, when there is one) merged into its entries.
 */
export async function loadHsMap(path: string, factorsPath: string | null = join(dirname(path), CONTENT_FACTORS_FILE)): Promise<HsMap> {
  const { codes: map, headings } = await loadCodes(path);
  const hasFactors =
    factorsPath !== null &&
    (await stat(factorsPath).then(
      (info) => info.isFile(),
      () => false,
    ));
  const merged = hasFactors ? withOriginFactors(map, await loadOriginFactors(factorsPath, map)) : map;
  const label = hasFactors ? `${basename(path)} with ${basename(factorsPath)}` : basename(path);
  checkUnits(new Map([...merged, ...headings]), label);
  checkHeadings(merged, headings, basename(path));
  return Object.assign(new Map(merged), { headings });
}

/**
 * A heading row must agree with every six-digit code of it in the map: the same material, stage
 * and factor, and no factors by origin (a heading total has one factor for the whole heading).
 */
function checkHeadings(map: HsMap, headings: ReadonlyMap<string, HsEntry>, label: string): void {
  const problems: Problem[] = [];
  for (const heading of headings.values()) {
    for (const entry of map.values()) {
      if (!entry.hs6.startsWith(heading.hs6)) continue;
      const origins = entry.origins && entry.origins.size > 0;
      if (entry.material !== heading.material || entry.stage !== heading.stage || entry.factor !== heading.factor || origins) {
        problems.push({
          file: label,
          message: `heading ${heading.hs6} (${heading.material} ${heading.stage}) and ${entry.hs6} (${entry.material} ${entry.stage}) differ in material, stage or factor; a heading row needs every code of it to count alike`,
        });
      }
    }
  }
  if (problems.length > 0) throw new InputError(problems);
}

async function loadCodes(path: string): Promise<{ codes: Map<string, HsEntry>; headings: Map<string, HsEntry> }> {
  const label = basename(path);
  const records = parseDelimited(await readTextFile(path), label);
  const header = (records[0] ?? []).map((name) => name.trim().toLowerCase());
  const at = (name: string): number => header.indexOf(name);
  const missing = COLUMNS.filter((name) => at(name) < 0);
  if (missing.length > 0) throw new InputError([{ file: label, line: 1, message: `missing column(s) ${missing.join(', ')}` }]);
  const map = new Map<string, HsEntry>();
  const headings = new Map<string, HsEntry>();
  const problems: Problem[] = [];
  records.slice(1).forEach((record, i) => {
    if (isBlank(record)) return;
    const line = i + 2;
    try {
      const entry = readEntry((name) => record[at(name)] ?? '');
      const into = entry.hs6.length === 4 ? headings : map;
      if (into.has(entry.hs6)) throw new FieldError(`hs6 ${entry.hs6} is listed twice`);
      into.set(entry.hs6, entry);
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      problems.push({ file: label, line, message: error.message });
    }
  });
  if (problems.length > 0) throw new InputError(problems);
  return { codes: map, headings };
}

function readEntry(get: (name: string) => string): HsEntry {
  const hs6 = get('hs6').trim();
  if (!/^\d{6}$|^\d{4}$/.test(hs6)) throw new FieldError(`hs6 "${hs6}" is not a six-digit HS code (or a four-digit heading)`);
  const material = parseMaterial(get('material'));
  const stage = parseStage(get('stage'));
  const rawFactor = get('content_factor').trim();
  let factor: number | null = null;
  if (rawFactor !== '') {
    factor = Number(rawFactor);
    if (!/^\d*\.?\d+$/.test(rawFactor) || !(factor > 0 && factor <= 1)) {
      throw new FieldError(`content_factor "${rawFactor}" must be a number in (0, 1] or empty`);
    }
  }
  return { hs6, material, stage, factor, unit: factor === null ? GROSS_UNIT : CONTAINED_UNIT, origins: new Map() };
}

function parseFactor(raw: string): number {
  const text = raw.trim();
  const factor = Number(text);
  if (!/^\d*\.?\d+$/.test(text) || !(factor > 0 && factor <= 1)) throw new FieldError(`content_factor "${text}" must be a number in (0, 1]`);
  return factor;
}

/** content-factors.csv: hs6 -> origin (ISO3) -> factor. Every row needs a mapped code and a source. */
async function loadOriginFactors(path: string, map: HsMap): Promise<Map<string, Map<string, number>>> {
  const label = basename(path);
  const records = parseDelimited(await readTextFile(path), label);
  const header = (records[0] ?? []).map((name) => name.trim().toLowerCase());
  const at = (name: string): number => header.indexOf(name);
  const missing = FACTOR_COLUMNS.filter((name) => at(name) < 0);
  if (missing.length > 0) throw new InputError([{ file: label, line: 1, message: `missing column(s) ${missing.join(', ')}` }]);
  const factors = new Map<string, Map<string, number>>();
  const problems: Problem[] = [];
  records.slice(1).forEach((record, i) => {
    if (isBlank(record)) return;
    const get = (name: string): string => (record[at(name)] ?? '').trim();
    try {
      const hs6 = get('hs6');
      if (!map.has(hs6)) throw new FieldError(`hs6 "${hs6}" is not in the HS map`);
      const origin = get('origin');
      if (!/^[A-Z]{3}$/.test(origin)) throw new FieldError(`origin "${origin}" is not an upper-case ISO3 code`);
      const factor = parseFactor(get('content_factor'));
      if (get('source') === '') throw new FieldError('source is empty: every factor needs a cited source');
      const byOrigin = factors.get(hs6) ?? new Map<string, number>();
      if (byOrigin.has(origin)) throw new FieldError(`hs6 ${hs6} origin ${origin} is listed twice`);
      factors.set(hs6, byOrigin.set(origin, factor));
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      problems.push({ file: label, line: i + 2, message: error.message });
    }
  });
  if (problems.length > 0) throw new InputError(problems);
  return factors;
}

function withOriginFactors(map: HsMap, factors: ReadonlyMap<string, Map<string, number>>): HsMap {
  const merged = new Map<string, HsEntry>();
  for (const [hs6, entry] of map) {
    const origins = factors.get(hs6);
    merged.set(hs6, origins ? { ...entry, origins, unit: CONTAINED_UNIT } : entry);
  }
  return merged;
}

/**
 * The factor for a flow of this product from `origin`: the origin's own, else the code's; null
 * when the quantity stays gross weight (a code with no factor at all); undefined when the code
 * has origin factors but none for this origin and no factor of its own (the flow cannot be converted).
 */
export function factorFor(entry: HsEntry, origin: string): number | null | undefined {
  if (entry.origins && entry.origins.size > 0) return entry.origins.get(origin) ?? entry.factor ?? undefined;
  return entry.factor;
}

/** Contained (or gross) tonnes of a traded quantity in tonnes of product, from `origin` when given. */
export function convertTonnes(entry: HsEntry, productTonnes: number, origin?: string): number {
  const factor = origin === undefined ? entry.factor : factorFor(entry, origin);
  return factor === null || factor === undefined ? productTonnes : productTonnes * factor;
}

/**
 * Each material and stage must map to one unit: a material with both factored and gross codes
 * would mix contained and gross tonnes in one column.
 */
export function checkUnits(map: HsMap, label: string): void {
  const units = new Map<string, string>();
  const problems: Problem[] = [];
  for (const entry of map.values()) {
    const key = `${entry.material} ${entry.stage}`;
    const known = units.get(key);
    if (known !== undefined && known !== entry.unit) {
      problems.push({ file: label, message: `${key} has codes in "${known}" and in "${entry.unit}"; give every code of it a content_factor or none` });
    }
    units.set(key, entry.unit);
  }
  if (problems.length > 0) throw new InputError(problems);
}
