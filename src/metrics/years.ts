/**
 * Which year each block reports. Sources publish on different schedules (mine production to 2025,
 * Japan's trade to 2024), so without --year each block takes its own latest year and says so; with
 * --year every block uses that year. Every input of a block is of the block's year: no block pairs
 * one year's trade with another year's production.
 */
import { upstreamOf, type Stage } from '../domain/fields.js';
import type { SliceIndex } from '../graph/slices.js';
import type { Dataset } from '../input/dataset.js';
import { TradeCoverage } from '../input/coverage-index.js';

export function worldYear(index: SliceIndex, material: string, stage: Stage, fixedYear?: number): number | null {
  const years = index.productionYears(material, stage);
  if (fixedYear !== undefined) return years.includes(fixedYear) ? fixedYear : null;
  // The latest year with a figure: a later year whose every figure is withheld (germanium 2023, the
  // U.S. `W` only) has no world block to give.
  const withFigures = years.filter((year) => (index.slice(material, stage, year)?.production.size ?? 0) > 0);
  return withFigures.at(-1) ?? years.at(-1) ?? null;
}

/**
 * The importer block's year: the latest in which the importer's imports are covered, fully or in
 * part (a partial year's block says its imports are a lower bound). Without any covered year, the
 * latest year with data for the stage, where the block says its trade is unknown.
 */
export function importerYear(index: SliceIndex, material: string, stage: Stage, importer: string, fixedYear?: number): number | null {
  if (fixedYear !== undefined) return fixedYear;
  const covered = index.coverage.years(material, stage, importer, 'import');
  if (covered.length > 0) return covered.at(-1) ?? null;
  const years = [...index.productionYears(material, stage), ...index.tradeYears(material, stage)];
  return years.length > 0 ? Math.max(...years) : null;
}

/**
 * The trade slices (`material|stage|year`) that an analysis without a fixed year reads: the importer
 * block's year of each material and stage and, at the refining stage, the mining trade of that year
 * (the refiners' feed). For a group importer, `members` are the countries carrying its tag. Found from the facts before the graph is built, so that a multi-year trade
 * history does not become a graph of millions of edges when only the latest year is reported.
 */
export function tradeSlicesForLatestYears(
  dataset: Pick<Dataset, 'coverage' | 'importYears'>,
  importer: string,
  members: readonly string[] = [importer],
): Set<string> {
  const coverage = TradeCoverage.of(dataset);
  const slices = new Set<string>();
  const seen = new Set<string>();
  for (const key of dataset.importYears.keys()) {
    const [material = '', stage = ''] = key.split('|');
    seen.add(`${material}|${stage}`);
  }
  for (const key of coverage.stagesCovered()) seen.add(key);
  for (const key of seen) {
    const [material = '', stage = 'mining'] = key.split('|');
    // The rule of importerYear; a group's imports are covered in a year when any member's are
    // (graph/group-view.ts).
    const year = Math.max(-Infinity, ...members.map((member) => coverage.years(material, stage as Stage, member, 'import').at(-1) ?? -Infinity));
    if (!Number.isFinite(year)) continue;
    slices.add(`${material}|${stage}|${year}`);
    // A processing stage's origins are traced through every stage before it (importer.ts).
    for (let up = upstreamOf(stage as Stage); up; up = upstreamOf(up)) slices.add(`${material}|${up}|${year}`);
  }
  return slices;
}
