/**
 * Which year each block reports. Sources publish on different schedules (mine production to 2023,
 * Japan's trade to 2021), so without --year each block takes its own latest year and says so;
 * with --year every block uses that year and nothing else.
 */
import type { Stage } from '../input/fields.js';
import type { SliceIndex } from '../graph/slices.js';
import type { Dataset } from '../input/dataset.js';

export function worldYear(index: SliceIndex, material: string, stage: Stage, fixedYear?: number): number | null {
  const years = index.productionYears(material, stage);
  if (fixedYear !== undefined) return years.includes(fixedYear) ? fixedYear : null;
  return years.at(-1) ?? null;
}

/** The importer block's year: the latest with trade into the importer, else the latest it produced. */
export function importerYear(
  index: SliceIndex,
  material: string,
  stage: Stage,
  importer: string,
  fixedYear?: number,
): number | null {
  if (fixedYear !== undefined) return fixedYear;
  const own = () =>
    index.productionYears(material, stage).filter((year) => (index.slice(material, stage, year)?.production.get(importer) ?? 0) > 0);
  return latestImporterYear(index.importYears(material, stage, importer), own);
}

function latestImporterYear(importYears: readonly number[], ownProductionYears: () => readonly number[]): number | null {
  if (importYears.length > 0) return Math.max(...importYears);
  const own = ownProductionYears();
  return own.length > 0 ? Math.max(...own) : null;
}

/**
 * The trade slices (`material|stage|year`) that an analysis without a fixed year reads: the importer
 * block's year of each material and stage and, at the refining stage, the mining trade of that year
 * (the refiners' feed). Found from the facts before the graph is built, so that a multi-year trade
 * history does not become a graph of millions of edges when only the latest year is reported.
 */
export function tradeSlicesForLatestYears(dataset: Pick<Dataset, 'production' | 'importYears'>, importer: string): Set<string> {
  const imports = new Map<string, number[]>();
  for (const [key, years] of dataset.importYears) {
    const [material = '', stage = '', into = ''] = key.split('|');
    if (into === importer) imports.set(`${material}|${stage}`, [...years]);
  }
  const own = new Map<string, number[]>();
  for (const fact of dataset.production) {
    if (fact.country !== importer || fact.quantity <= 0) continue;
    const key = `${fact.material}|${fact.stage}`;
    own.set(key, [...(own.get(key) ?? []), fact.year]);
  }
  const slices = new Set<string>();
  for (const key of new Set([...imports.keys(), ...own.keys()])) {
    const year = latestImporterYear(imports.get(key) ?? [], () => own.get(key) ?? []);
    if (year === null) continue;
    const [material = '', stage = ''] = key.split('|');
    slices.add(`${material}|${stage}|${year}`);
    if (stage === 'refining') slices.add(`${material}|mining|${year}`);
  }
  return slices;
}

/**
 * The production year to pair with trade of `year`: the same year when there is production data for
 * it; otherwise (only when no year was fixed) the closest earlier year, else the closest later one.
 * The block reports the year it used, so the pairing is never silent.
 */
export function productionYearFor(
  index: SliceIndex,
  material: string,
  stage: Stage,
  year: number,
  strict: boolean,
): number | null {
  const years = index.productionYears(material, stage);
  if (years.includes(year)) return year;
  if (strict) return null;
  const earlier = years.filter((candidate) => candidate < year).at(-1);
  if (earlier !== undefined) return earlier;
  return years.find((candidate) => candidate > year) ?? null;
}
