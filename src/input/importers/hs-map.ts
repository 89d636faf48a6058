/**
 * The HS code map (`hs-codes.csv`: hs6,material,stage,content_factor,description): which traded
 * product counts for which material and stage, and how much of its weight is the material.
 *
 * With a content factor, trade quantities become tonnes of contained material (`t`), comparable
 * with production. Without one the quantity stays gross product weight and the unit says so
 * (`t gross`); the loader's one-unit-per-material-and-stage rule then keeps the two apart, which is
 * why gross products carry their own material id (manganese-ore, not manganese).
 */
import { basename } from 'node:path';
import { parseMaterial, parseStage, FieldError, type Stage } from '../fields.js';
import { InputError, type Problem } from '../problems.js';
import { isBlank, parseDelimited, readTextFile } from './read-text.js';

export interface HsEntry {
  hs6: string;
  material: string;
  stage: Stage;
  /** Tonnes of material per tonne of product; null when the quantity stays gross weight. */
  factor: number | null;
  unit: string;
}

export type HsMap = ReadonlyMap<string, HsEntry>;

export const GROSS_UNIT = 't gross';
export const CONTAINED_UNIT = 't';

const COLUMNS = ['hs6', 'material', 'stage', 'content_factor', 'description'] as const;

export async function loadHsMap(path: string): Promise<HsMap> {
  const label = basename(path);
  const records = parseDelimited(await readTextFile(path), label);
  const header = (records[0] ?? []).map((name) => name.trim().toLowerCase());
  const at = (name: string): number => header.indexOf(name);
  const missing = COLUMNS.filter((name) => at(name) < 0);
  if (missing.length > 0) throw new InputError([{ file: label, line: 1, message: `missing column(s) ${missing.join(', ')}` }]);
  const map = new Map<string, HsEntry>();
  const problems: Problem[] = [];
  records.slice(1).forEach((record, i) => {
    if (isBlank(record)) return;
    const line = i + 2;
    try {
      const entry = readEntry((name) => record[at(name)] ?? '');
      if (map.has(entry.hs6)) throw new FieldError(`hs6 ${entry.hs6} is listed twice`);
      map.set(entry.hs6, entry);
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      problems.push({ file: label, line, message: error.message });
    }
  });
  if (problems.length > 0) throw new InputError(problems);
  checkUnits(map, label);
  return map;
}

function readEntry(get: (name: string) => string): HsEntry {
  const hs6 = get('hs6').trim();
  if (!/^\d{6}$/.test(hs6)) throw new FieldError(`hs6 "${hs6}" is not a six-digit HS code`);
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
  return { hs6, material, stage, factor, unit: factor === null ? GROSS_UNIT : CONTAINED_UNIT };
}

/** Contained (or gross) tonnes of a traded quantity in tonnes of product. */
export function convertTonnes(entry: HsEntry, productTonnes: number): number {
  return entry.factor === null ? productTonnes : productTonnes * entry.factor;
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
