/**
 * The full analysis behind `report`: for each material and stage, the world block and the importer
 * block, each with its own year. A stage with no data is absent rather than filled with zeros.
 */
import { STAGES, type Stage } from '../domain/fields.js';
import { UsageError } from '../domain/problems.js';
import { indexFor } from '../graph/group-view.js';
import { sliceIndex } from '../graph/slices.js';
import type { SupplyGraph } from '../graph/supply-graph.js';
import { importerBlock, type ImporterBlock, type UnknownPart } from './importer.js';
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
  /** The world block of the importer block's year (its HHI and candidates); null when that year has no production data. */
  importerWorld?: WorldBlock | null;
  /** Refining: the mining world block of the importer block's year (the refiners' feed, origin candidates). */
  feedWorld?: WorldBlock | null;
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
  return { importer: options.importer, year: options.year ?? null, materials, notes: caveats(materials, options.importer) };
}

/** One warning per kind of unknown, naming the materials, so that a reader of the table sees them at once. */
function caveats(materials: readonly MaterialAnalysis[], importer: string): string[] {
  // A stage whose trade is unknown is named once, for its trade: what else it lacks matters little then.
  const named = (part: UnknownPart): string[] =>
    materials.flatMap(({ material, stages }) =>
      STAGES.filter((stage) => {
        const unknown = stages[stage]?.importer?.unknown ?? [];
        return unknown.includes(part) && (part === 'trade' || !unknown.includes('trade'));
      }).map((stage) => `${material} ${stage}`),
    );
  const notes: string[] = [];
  const trade = named('trade');
  const blocks = materials.flatMap(({ stages }) => STAGES.filter((stage) => stages[stage]?.importer));
  if (trade.length > 0 && trade.length === blocks.length) {
    notes.push(`the data covers none of ${importer}'s imports: every exposure figure is unknown (see "What the data can and cannot tell" in the README)`);
  } else if (trade.length > 0) {
    notes.push(`${importer}'s imports are not covered for ${trade.join(', ')}: their exposure is unknown, not zero`);
  }
  const production = named('production');
  if (production.length > 0) {
    notes.push(`${importer}'s own production is not exactly known for ${production.join(', ')}: shares there are of imports, and import reliance is a range`);
  }
  return notes;
}

export function analyseStage(graph: SupplyGraph, material: string, stage: Stage, options: AnalysisOptions): StageAnalysis {
  const index = sliceIndex(graph);
  const wYear = worldYear(index, material, stage, options.year);
  const world = wYear === null ? undefined : worldBlock(index, material, stage, wYear);
  // A group importer (EU, G7, ...) reads its members merged into one node (graph/group-view.ts).
  const own = indexFor(graph, options.importer);
  const iYear = importerYear(own, material, stage, options.importer, options.year);
  if (iYear === null) return world ? { world } : {};
  // The block's inputs are all of its own year: the world HHI behind GeoPolRisk too.
  const sameYearWorld = iYear === wYear ? world : worldBlock(index, material, stage, iYear);
  const hasData = sameYearWorld !== undefined || index.slice(material, stage, iYear) !== undefined || options.year === undefined;
  const importer = hasData
    ? importerBlock({ index: own, material, stage, importer: options.importer, year: iYear, worldHhi: sameYearWorld?.hhi ?? null })
    : undefined;
  // A processing stage's origins are mines: the mining world is where alternatives to them come from.
  const feedWorld = stage !== 'mining' && importer ? { feedWorld: worldBlock(index, material, 'mining', iYear) ?? null } : {};
  return { ...(world ? { world } : {}), ...(importer ? { importer, importerWorld: sameYearWorld ?? null } : {}), ...feedWorld };
}
