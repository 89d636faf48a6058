/**
 * The chain behind the importer's supply of one material at one stage, as a three-tier flow picture:
 * mine origins -> middle -> importer, each link with its quantity and its share of the supply S.
 *
 * - Refining stage: the middle tier is the refining country (magnet stage: the magnet maker). The
 *   links come straight from the importer block's (processor, origin) paths (importer.ts), which
 *   walk the chain graph (graph/chain.ts): origin -> refiner carries path share x S, refiner ->
 *   importer the refiner's total. A refiner with no data on the stage before is its own origin,
 *   marked untraced.
 * - Mining stage: the middle tier is the shipping country (the exporter to the importer, or the
 *   importer itself for its own mine output). Each shipper's flow is split by the Kastner origin mix
 *   of its supply, so the origin totals equal the importer block's origins.
 * - Folding (minShare): middle nodes below minShare become one "other" node; then origin -> middle
 *   links below minShare are re-attributed to an "other" origin. Flows stay balanced: every middle
 *   node receives what it ships.
 */
import type { Stage } from '../domain/fields.js';
import { compare, type SliceIndex } from '../graph/slices.js';
import type { Exposure, ImporterBlock } from './importer.js';
import { traceOrigins, type OriginMix } from './kastner.js';
import { chainGraph, shipmentsTo, stageFlows, stageProduction } from '../graph/chain.js';

/** The middle tier of each stage's picture. */
const MIDDLE: Record<Stage, Trace['middle']> = { mining: 'shipper', refining: 'refiner', magnet: 'maker' };

/** The folded remainder of a tier. Not a country code (those are three characters). */
export const OTHER = 'other';

export type Tier = 'origin' | 'middle' | 'importer';

export interface TraceNode {
  tier: Tier;
  /** ISO3 code, or OTHER. */
  country: string;
  quantity: number;
  share: number;
  /** False when part of this node's flow could not be traced to mine production. */
  traced: boolean;
}

export interface TraceLink {
  from: { tier: Tier; country: string };
  to: { tier: Tier; country: string };
  quantity: number;
  share: number;
  traced: boolean;
}

export interface Trace {
  material: string;
  stage: Stage;
  importer: string;
  year: number;
  /** `supply`: shares of P + I; `imports`: own production not exactly known, shares are of imports. */
  shareBase: 'supply' | 'imports';
  unit: string;
  supply: number;
  /** What the middle tier is: refining countries, magnet makers, or shipping countries at the mining stage. */
  middle: 'refiner' | 'maker' | 'shipper';
  minShare: number;
  nodes: TraceNode[];
  links: TraceLink[];
}

interface RawPath {
  origin: string;
  middle: string;
  share: number;
  traced: boolean;
}

export interface TraceInput {
  index: SliceIndex;
  material: string;
  stage: Stage;
  importer: string;
  block: ImporterBlock;
  /** The block's exact picture (its `low`): at its own production, or at 0 when that is not known. */
  exposure: Exposure;
  minShare: number;
}

export function trace(input: TraceInput): Trace {
  const { block, stage } = input;
  const raw = stage === 'mining' ? miningPaths(input) : processingPaths(input.exposure);
  const folded = fold(raw, input.minShare);
  const S = input.exposure.supply;
  const links: TraceLink[] = [];
  const originLinks = new Map<string, RawPath>();
  for (const path of folded) {
    const key = `${path.origin}>${path.middle}`;
    const entry = originLinks.get(key) ?? { ...path, share: 0, traced: true };
    entry.share += path.share;
    entry.traced &&= path.traced;
    originLinks.set(key, entry);
  }
  for (const link of originLinks.values()) {
    links.push({
      from: { tier: 'origin', country: link.origin },
      to: { tier: 'middle', country: link.middle },
      share: link.share,
      quantity: link.share * S,
      traced: link.traced,
    });
  }
  const middles = totals(folded, (path) => path.middle);
  for (const [country, { share, traced }] of middles) {
    links.push({ from: { tier: 'middle', country }, to: { tier: 'importer', country: input.importer }, share, quantity: share * S, traced });
  }
  const origins = totals(folded, (path) => path.origin);
  const nodes: TraceNode[] = [
    ...[...origins].map(([country, { share, traced }]) => ({ tier: 'origin' as const, country, share, quantity: share * S, traced })),
    ...[...middles].map(([country, { share, traced }]) => ({ tier: 'middle' as const, country, share, quantity: share * S, traced })),
    { tier: 'importer', country: input.importer, share: 1, quantity: S, traced: input.exposure.untracedShare === 0 },
  ];
  const tierRank: Record<Tier, number> = { origin: 0, middle: 1, importer: 2 };
  const rank = (country: string): number => (country === OTHER ? 1 : 0);
  nodes.sort((a, b) => tierRank[a.tier] - tierRank[b.tier] || rank(a.country) - rank(b.country) || b.share - a.share || compare(a.country, b.country));
  links.sort(
    (a, b) =>
      tierRank[a.from.tier] - tierRank[b.from.tier] ||
      rank(a.from.country) - rank(b.from.country) ||
      b.share - a.share ||
      compare(a.from.country, b.from.country) ||
      compare(a.to.country, b.to.country),
  );
  return {
    material: input.material,
    stage,
    importer: input.importer,
    year: block.year,
    shareBase: block.shareBase,
    unit: block.unit,
    supply: S,
    middle: MIDDLE[stage],
    minShare: input.minShare,
    nodes,
    links,
  };
}

function processingPaths(exposure: Exposure): RawPath[] {
  return exposure.paths.map((path) => ({ origin: path.origin, middle: path.refiner ?? path.origin, share: path.share, traced: path.traced }));
}

/**
 * Mining stage: each shipper's flow to the importer (the in-edges of its node in the chain graph,
 * and its own output) by the Kastner origin mix of the shipper.
 */
function miningPaths(input: TraceInput): RawPath[] {
  const { index, material, block, importer, exposure } = input;
  const chain = chainGraph(index, material, block.year);
  const shipped = shipmentsTo(chain, 'mining', importer);
  const own = exposure.production;
  const production = stageProduction(chain, 'mining');
  // No mine production figure at all this year: each shipper is its own (untraced) origin, as in
  // the importer block (importer.ts, shipperMix).
  const mixes = production.size > 0 ? traceOrigins(production, stageFlows(chain, 'mining'), [...shipped.keys()]) : ownMixes([...shipped.keys()]);
  // Shares of S = P + I, the importer block's base, even when the importer exports more than it has.
  const supply = exposure.supply;
  if (supply <= 0) return [];
  const paths: RawPath[] = [];
  if (own > 0) paths.push({ origin: importer, middle: importer, share: own / supply, traced: true });
  for (const [shipper, quantity] of shipped) {
    const mix = mixes.get(shipper);
    if (!mix) continue;
    for (const [origin, part] of mix.traced) paths.push({ origin, middle: shipper, share: (quantity * part) / supply, traced: true });
    for (const [origin, part] of mix.untraced) paths.push({ origin, middle: shipper, share: (quantity * part) / supply, traced: false });
  }
  return paths.filter((path) => path.share > 0);
}

/** Each shipper as the untraced origin of all it ships. */
function ownMixes(shippers: readonly string[]): Map<string, OriginMix> {
  return new Map(shippers.map((shipper) => [shipper, { traced: new Map<string, number>(), untraced: new Map([[shipper, 1]]), supply: 0 }]));
}

/** Folds small middle nodes into OTHER, then small origin -> middle links into an OTHER origin. */
function fold(paths: readonly RawPath[], minShare: number): RawPath[] {
  if (minShare <= 0) return [...paths];
  const middleTotals = totals(paths, (path) => path.middle);
  const byMiddle = paths.map((path) => ((middleTotals.get(path.middle)?.share ?? 0) < minShare ? { ...path, middle: OTHER } : path));
  const linkTotals = totals(byMiddle, (path) => `${path.origin}>${path.middle}`);
  return byMiddle.map((path) => ((linkTotals.get(`${path.origin}>${path.middle}`)?.share ?? 0) < minShare ? { ...path, origin: OTHER } : path));
}

function totals(paths: readonly RawPath[], key: (path: RawPath) => string): Map<string, { share: number; traced: boolean }> {
  const result = new Map<string, { share: number; traced: boolean }>();
  for (const path of paths) {
    const entry = result.get(key(path)) ?? { share: 0, traced: true };
    entry.share += path.share;
    entry.traced &&= path.traced;
    result.set(key(path), entry);
  }
  return result;
}
