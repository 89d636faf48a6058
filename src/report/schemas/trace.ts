/** `supply-risk trace MATERIAL --format json`: the chain mine origins -> refiners (or shippers) -> importer. */
import { z } from 'zod';
import { countryCode, envelopeHead, fraction, materialName, quantity, shareBase, stageName, warnings, year } from './common.js';

const tier = z.enum(['origin', 'middle', 'importer']);
const nodeCountry = z.union([countryCode, z.literal('other')]);

const endpoint = (end: string) =>
  z
    .strictObject({
      tier: tier.describe(`Tier of the link's ${end}.`),
      country: nodeCountry.describe(`Country of the link's ${end} (ISO 3166-1 alpha-3), or "other".`),
    })
    .describe(`The node the link ${end === 'start' ? 'leaves' : 'enters'}.`);

export const traceSchema = z
  .strictObject({
    ...envelopeHead,
    importer: countryCode.describe('The importing country, ISO 3166-1 alpha-3.'),
    material: materialName,
    stage: stageName.describe('Stage traced (--stage, or refining when the importer has refining data).'),
    year: year.describe('Year of the importer block traced.'),
    shareBase: shareBase.describe('What the shares are of: supply (P + I), or imports when own production is not exactly known.'),
    unit: z.string().describe('Unit of every quantity.'),
    supply: quantity.describe("The importer's supply (or imports, see shareBase), in unit."),
    middle: z
      .enum(['refiner', 'maker', 'shipper'])
      .describe('What the middle tier is: refining countries, magnet makers, or shipping countries at the mining stage.'),
    minShare: fraction.describe('Links below this share of supply are folded into "other" (--min-share).'),
    nodes: z
      .array(
        z
          .strictObject({
            tier: tier.describe('origin (mine), middle (refiner or shipper) or importer.'),
            country: nodeCountry.describe('ISO 3166-1 alpha-3 code, or "other" for the folded remainder of the tier.'),
            quantity: quantity.describe('Quantity through this node, in unit.'),
            share: fraction.describe('Share of supply through this node.'),
            traced: z.boolean().describe("False when part of this node's flow could not be traced to mine production."),
          })
          .describe('A country in one tier.'),
      )
      .describe('Nodes, tier by tier, largest first.'),
    links: z
      .array(
        z
          .strictObject({
            from: endpoint('start'),
            to: endpoint('end'),
            quantity: quantity.describe('Quantity along the link, in unit.'),
            share: fraction.describe('Share of supply along the link.'),
            traced: z.boolean().describe('False when part of the flow could not be traced to mine production.'),
          })
          .describe('A flow between two nodes.'),
      )
      .describe('Links between tiers, largest first.'),
    warnings,
  })
  .meta({
    title: 'supply-risk trace --format json',
    description: "The chain behind the importer's supply of one material: mine origins -> refiners (or shippers) -> importer.",
  });
