/** The world block: concentration of production of one material and stage in one year. */
import type { Stage } from '../input/fields.js';
import type { SliceIndex } from '../graph/slices.js';
import { concentration, governanceWeightedHhi, type CountryShare } from './concentration.js';

export interface WorldBlock {
  year: number;
  unit: string;
  total: number;
  producers: number;
  hhi: number;
  top: CountryShare | null;
  cr3: number;
  hhiWgi: number;
  unattributedShare: number;
  countries: CountryShare[];
}

export function worldBlock(index: SliceIndex, material: string, stage: Stage, year: number): WorldBlock | undefined {
  const slice = index.slice(material, stage, year);
  if (!slice || slice.production.size === 0) return undefined;
  const result = concentration(slice.production);
  return {
    year,
    unit: index.unit(material, stage) ?? '',
    total: result.total,
    producers: result.producers,
    hhi: result.hhi,
    top: result.top,
    cr3: result.cr3,
    hhiWgi: governanceWeightedHhi(result.shares, (code) => index.governance(code, year)?.value ?? null),
    unattributedShare: result.unattributedShare,
    countries: result.shares,
  };
}
