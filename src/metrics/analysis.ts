/**
 * The full analysis behind `report`: for each material and stage, the world block and the importer
 * block, each with its own year. A stage with no data is absent rather than filled with zeros.
 */
import type { Stage } from '../input/fields.js';
import { UsageError } from '../input/problems.js';
import { sliceIndex } from '../graph/slices.js';
import type { SupplyGraph } from '../graph/supply-graph.js';
import { importerBlock, type ImporterBlock } from './importer.js';
import { worldBlock, type WorldBlock } from './world.js';
import { importerYear, worldYear } from './years.js';

export interface AnalysisOptions {
  importer: string;
  year?: number;
  materials?: readonly string[];
}

export interface StageAnalysis {
  world?: WorldBlock;
  importer?: ImporterBlock;
}

export interface MaterialAnalysis {
  material: string;
  stages: Partial<Record<Stage, StageAnalysis>>;
}

export interface Analysis {
  importer: string;
  year: number | null;
  materials: MaterialAnalysis[];
  /** Caveats a reader of the figures needs (printed as warnings). */
  notes: string[];
}

export function analyse(graph: SupplyGraph, options: AnalysisOptions): Analysis {
  const index = sliceIndex(graph);
  const available = index.materials();
  const chosen = options.materials ?? available;
  const unknown = chosen.filter((material) => !available.includes(material));
  if (unknown.length > 0) {
    throw new UsageError(`no data for material ${unknown.join(', ')}; the data has: ${available.join(', ') || '(none)'}`);
  }
  const materials: MaterialAnalysis[] = [];
  for (const material of [...chosen].sort()) {
    const stages: Partial<Record<Stage, StageAnalysis>> = {};
    for (const stage of index.stages(material)) {
      const analysis = analyseStage(graph, material, stage, options);
      if (analysis.world || analysis.importer) stages[stage] = analysis;
    }
    if (Object.keys(stages).length > 0) materials.push({ material, stages });
  }
  return { importer: options.importer, year: options.year ?? null, materials, notes: caveats(materials) };
}

/** Refining origins traced without any ore trade behind them are an estimate; say where, in one line. */
function caveats(materials: readonly MaterialAnalysis[]): string[] {
  const affected = materials
    .filter((material) => material.stages.refining?.importer?.feedWithoutOreTrade)
    .map(({ material, stages }) => `${material} (${stages.refining?.importer?.year})`);
  if (affected.length === 0) return [];
  return [
    `refining origins of ${affected.join(', ')} have no mining-stage trade behind them in the data: ` +
      "each refiner's ore is taken to be its own mine output, so mine origins lean towards the refining countries",
  ];
}

export function analyseStage(graph: SupplyGraph, material: string, stage: Stage, options: AnalysisOptions): StageAnalysis {
  const index = sliceIndex(graph);
  const wYear = worldYear(index, material, stage, options.year);
  const world = wYear === null ? undefined : worldBlock(index, material, stage, wYear);
  const iYear = importerYear(index, material, stage, options.importer, options.year);
  const importer =
    iYear === null
      ? undefined
      : importerBlock({
          index,
          material,
          stage,
          importer: options.importer,
          year: iYear,
          strictYear: options.year !== undefined,
          worldHhi: world?.hhi ?? null,
        });
  return { ...(world ? { world } : {}), ...(importer ? { importer } : {}) };
}
