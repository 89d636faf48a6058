/**
 * Which trade the data covers. Trade that is not covered is unknown, never zero: a country with no
 * rows in a covered year imported nothing, while a country no source read could have imported anything.
 *
 * - With a coverage.csv, it alone says what is covered (the importers write it for the reporters and
 *   years they read).
 * - Without one (a hand-made folder), trade rows into a country imply that its imports and exports of
 *   that material and stage are covered for that year.
 */
import type { CoverageExtent, CoverageFact, CoverageFlow, Dataset } from '../input/dataset.js';
import type { Stage } from '../input/fields.js';

export class TradeCoverage {
  private readonly extents = new Map<string, CoverageExtent>();
  private readonly yearsOf = new Map<string, number[]>();

  private constructor(
    facts: Iterable<Pick<CoverageFact, 'material' | 'stage' | 'importer' | 'year' | 'flow' | 'extent'>>,
    /** True when the folder's coverage.csv declared it; false when implied by the trade rows. */
    readonly declared: boolean,
  ) {
    for (const fact of facts) {
      this.extents.set(key(fact.material, fact.stage, fact.importer, fact.flow, fact.year), fact.extent);
      const series = key(fact.material, fact.stage, fact.importer, fact.flow);
      const years = this.yearsOf.get(series) ?? [];
      if (!years.includes(fact.year)) years.push(fact.year);
      this.yearsOf.set(series, years.sort((a, b) => a - b));
    }
  }

  static of(dataset: Pick<Dataset, 'coverage' | 'importYears'>): TradeCoverage {
    if (dataset.coverage) return new TradeCoverage(dataset.coverage, true);
    const implied: Pick<CoverageFact, 'material' | 'stage' | 'importer' | 'year' | 'flow' | 'extent'>[] = [];
    for (const [series, years] of dataset.importYears) {
      const [material = '', stage = 'mining', importer = ''] = series.split('|');
      for (const year of years) {
        for (const flow of ['import', 'export'] as const) implied.push({ material, stage: stage as Stage, importer, year, flow, extent: 'full' });
      }
    }
    return new TradeCoverage(implied, false);
  }

  /** How a country's imports (or exports) of a material and stage are covered in a year; null when not at all. */
  extent(material: string, stage: Stage, country: string, year: number, flow: CoverageFlow): CoverageExtent | null {
    return this.extents.get(key(material, stage, country, flow, year)) ?? null;
  }

  /** Years in which a country's imports (or exports) of a material and stage are covered, ascending. */
  years(material: string, stage: Stage, country: string, flow: CoverageFlow): readonly number[] {
    return this.yearsOf.get(key(material, stage, country, flow)) ?? [];
  }

  /** Whether any trade of this country is covered at all. */
  coversCountry(country: string): boolean {
    for (const series of this.yearsOf.keys()) if (series.split('|')[2] === country) return true;
    return false;
  }
}

function key(material: string, stage: string, country: string, flow: string, year?: number): string {
  return year === undefined ? `${material}|${stage}|${country}|${flow}` : `${material}|${stage}|${country}|${flow}|${year}`;
}
