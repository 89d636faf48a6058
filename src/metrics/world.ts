/** The world block: concentration of production of one material and stage in one year. */
import type { Stage } from '../domain/fields.js';
import type { SliceIndex } from '../graph/slices.js';
import { concentration, governanceRange, governanceWeightedHhi, type CountryShare } from './concentration.js';

export interface WorldBlock {
  year: number;
  unit: string;
  total: number;
  producers: number;
  hhi: number;
  top: CountryShare | null;
  cr3: number;
  /** Null when a producer has no governance score: then `hhiWgiRange` bounds it. */
  hhiWgi: number | null;
  hhiWgiRange: [number, number];
  /** Producers without a governance score for the year (none when hhiWgi is exact). */
  unscored: string[];
  unattributedShare: number;
  countries: CountryShare[];
}

export function worldBlock(index: SliceIndex, material: string, stage: Stage, year: number): WorldBlock | undefined {
  const slice = index.slice(material, stage, year);
  if (!slice || slice.production.size === 0) return undefined;
  const result = concentration(slice.production);
  const wgi = governanceRange(
    (score) => governanceWeightedHhi(result.shares, score),
    (code) => index.governance(code, year)?.value ?? null,
    result.shares.filter((entry) => entry.share > 0).map((entry) => entry.country),
  );
  return {
    year,
    unit: index.unit(material, stage) ?? '',
    total: result.total,
    producers: result.producers,
    hhi: result.hhi,
    top: result.top,
    cr3: result.cr3,
    hhiWgi: wgi.unscored.length === 0 ? wgi.low : null,
    hhiWgiRange: [wgi.low, wgi.high],
    unscored: wgi.unscored,
    unattributedShare: result.unattributedShare,
    countries: result.shares,
  };
}
