/**
 * Which year each block reports. Sources publish on different schedules (mine production to 2023,
 * Japan's trade to 2021), so without --year each block takes its own latest year and says so;
 * with --year every block uses that year and nothing else.
 */
import type { Stage } from '../input/fields.js';
import type { SliceIndex } from '../graph/slices.js';

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
  const imports = index.importYears(material, stage, importer);
  if (imports.length > 0) return imports.at(-1) ?? null;
  const own = index
    .productionYears(material, stage)
    .filter((year) => (index.slice(material, stage, year)?.production.get(importer) ?? 0) > 0);
  return own.at(-1) ?? null;
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
