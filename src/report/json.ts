/**
 * The JSON report: a versioned envelope with deterministic ordering and no timestamps, so that the
 * same data always gives the same bytes and pipelines can diff reports. Field names are the contract
 * documented in the README and in schema/report.schema.json.
 */
import type { Analysis, MaterialAnalysis, StageAnalysis } from '../metrics/analysis.js';
import type { CountryShare } from '../metrics/concentration.js';
import type { ImporterBlock, OriginShare } from '../metrics/importer.js';
import type { WorldBlock } from '../metrics/world.js';
import type { Policy } from '../policy/policy.js';
import { bySeverity, type Assessment, type StageAssessment } from '../metrics/gaps.js';
import { gapJson, policyJson } from './gaps-json.js';
import { envelopeHead, type ToolInfo } from './envelope.js';
import { clean } from './numbers.js';
import { STAGES } from '../domain/fields.js';

// The envelope head lives in envelope.ts (shared with gaps-json.ts); re-exported for existing imports.
export { SCHEMA_VERSION, envelopeHead, type ToolInfo } from './envelope.js';

/** Gaps and risk levels (gaps.ts) measured against a policy; added to each stage when given. */
export interface ReportGaps {
  policy: Policy;
  assessment: Assessment;
}

export function reportEnvelope(analysis: Analysis, tool: ToolInfo, warnings: readonly string[], gaps?: ReportGaps): Record<string, unknown> {
  return {
    ...envelopeHead(tool),
    importer: analysis.importer,
    year: analysis.year,
    ...(gaps ? { policy: policyJson(gaps.policy) } : {}),
    materials: analysis.materials.map((material) => materialJson(material, gaps?.assessment)),
    warnings: [...warnings, ...(gaps?.assessment.warnings ?? [])],
  };
}

export function materialJson(material: MaterialAnalysis, assessment?: Assessment): Record<string, unknown> {
  const stages: Record<string, unknown> = {};
  for (const stage of STAGES) {
    const analysis = material.stages[stage];
    const assessed = assessment?.stages.find((entry) => entry.material === material.material && entry.stage === stage);
    if (analysis) stages[stage] = stageJson(analysis, assessed);
  }
  return { material: material.material, stages };
}

export function stageJson(stage: StageAnalysis, assessed?: StageAssessment): Record<string, unknown> {
  return {
    ...(stage.world ? { world: worldJson(stage.world) } : {}),
    ...(stage.importer ? { importer: importerJson(stage.importer) } : {}),
    ...(assessed ? { risk: assessed.risk, gaps: [...assessed.gaps].sort(bySeverity).map(gapJson) } : {}),
  };
}

function share(entry: CountryShare | null): Record<string, unknown> | null {
  return entry ? { country: entry.country, share: clean(entry.share), quantity: clean(entry.quantity) } : null;
}

function shares(entries: readonly CountryShare[]): Record<string, unknown>[] {
  return entries.map((entry) => ({ country: entry.country, quantity: clean(entry.quantity), share: clean(entry.share) }));
}

function origin(entry: OriginShare | null): Record<string, unknown> | null {
  return entry ? { country: entry.country, share: clean(entry.share), traced: entry.traced } : null;
}

export function worldJson(world: WorldBlock): Record<string, unknown> {
  return {
    year: world.year,
    unit: world.unit,
    total: clean(world.total),
    producers: world.producers,
    hhi: clean(world.hhi),
    top: share(world.top),
    cr3: clean(world.cr3),
    hhiWgi: world.hhiWgi === null ? null : clean(world.hhiWgi),
    hhiWgiRange: [clean(world.hhiWgiRange[0]), clean(world.hhiWgiRange[1])],
    unscored: world.unscored,
    unattributedShare: clean(world.unattributedShare),
    countries: shares(world.countries),
  };
}

export function importerJson(block: ImporterBlock): Record<string, unknown> {
  const num = (value: number | null): number | null => (value === null ? null : clean(value));
  return {
    year: block.year,
    unit: block.unit,
    unknown: block.unknown,
    reasons: block.reasons,
    coverage: block.coverage,
    productionStatus: block.productionStatus,
    productionRange: [clean(block.productionRange[0]), num(block.productionRange[1])],
    production: num(block.production),
    imports: num(block.imports),
    exports: num(block.exports),
    supply: num(block.supply),
    importReliance: num(block.importReliance),
    importRelianceRange: block.importRelianceRange ? [clean(block.importRelianceRange[0]), clean(block.importRelianceRange[1])] : null,
    shareBase: block.shareBase,
    suppliers: shares(block.suppliers),
    supplierHhi: num(block.supplierHhi),
    topSupplier: share(block.topSupplier),
    origins: block.origins.map((entry) => origin(entry)),
    topOrigin: origin(block.topOrigin),
    untracedShare: num(block.untracedShare),
    exportsExceedSupply: block.exportsExceedSupply,
    geopolRisk: num(block.geopolRisk),
    geopolRiskRange: block.geopolRiskRange ? [clean(block.geopolRiskRange[0]), clean(block.geopolRiskRange[1])] : null,
    meanImportPriceUsdPerKg: num(block.meanImportPriceUsdPerKg),
    geopolRiskMidpoint: num(block.geopolRiskMidpoint),
    geopolRiskCf: num(block.geopolRiskCf),
    governanceYears: block.governanceYears,
  };
}

export function renderJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
