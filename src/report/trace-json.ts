/** The `trace` command's JSON: nodes per tier and links with quantities (stage unit) and shares of the importer's supply. */
import type { Trace } from '../metrics/trace.js';
import { envelopeHead, type ToolInfo } from './json.js';
import { clean } from './numbers.js';

export function traceEnvelope(trace: Trace, tool: ToolInfo, warnings: readonly string[]): Record<string, unknown> {
  return {
    ...envelopeHead(tool),
    importer: trace.importer,
    material: trace.material,
    stage: trace.stage,
    year: trace.year,
    shareBase: trace.shareBase,
    unit: trace.unit,
    supply: clean(trace.supply),
    middle: trace.middle,
    minShare: trace.minShare,
    nodes: trace.nodes.map((node) => ({
      tier: node.tier,
      country: node.country,
      quantity: clean(node.quantity),
      share: clean(node.share),
      traced: node.traced,
    })),
    links: trace.links.map((link) => ({
      from: { ...link.from },
      to: { ...link.to },
      quantity: clean(link.quantity),
      share: clean(link.share),
      traced: link.traced,
    })),
    warnings: [...warnings],
  };
}
