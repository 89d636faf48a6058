/**
 * The JSON report contract as a zod schema. `npm run schema` writes schema/report.schema.json from it,
 * and the tests check every report the CLI prints against it.
 */
import { z } from 'zod';

const fraction = z.number().min(0).max(1);
const hhi = z.number().min(0).max(10000);
const country = z.string().regex(/^[A-Z][A-Z0-9]{2}$/);

const countryShare = z.strictObject({ country, quantity: z.number().min(0), share: fraction });
const topShare = z.strictObject({ country, share: fraction, quantity: z.number().min(0) }).nullable();
const originShare = z.strictObject({ country, share: fraction, traced: z.boolean() });

export const worldSchema = z.strictObject({
  year: z.number().int(),
  unit: z.string(),
  total: z.number().min(0),
  producers: z.number().int().min(0),
  hhi,
  top: topShare,
  cr3: fraction,
  hhiWgi: z.number().min(0).max(10),
  unattributedShare: fraction,
  countries: z.array(countryShare),
});

const nullableNumber = z.number().min(0).nullable();

export const importerSchema = z.strictObject({
  year: z.number().int().describe('The year of every input of this block: trade, own production, world production, WGI.'),
  unit: z.string(),
  unknown: z.array(z.enum(['trade', 'exports', 'production'])).describe('What the data does not give; empty when everything is known.'),
  reasons: z.array(z.string()).describe('Why each unknown or range is there, one sentence each.'),
  coverage: z.strictObject({
    imports: z.enum(['full', 'partial']).nullable(),
    exports: z.enum(['full', 'partial']).nullable(),
  }),
  productionStatus: z.enum(['reported', 'unlisted', 'absent', 'withheld', 'missing']),
  productionRange: z.tuple([z.number().min(0), nullableNumber]).describe('[low, high] of own production; high null when unbounded.'),
  production: nullableNumber,
  imports: nullableNumber,
  exports: nullableNumber,
  supply: nullableNumber,
  importReliance: fraction.nullable(),
  importRelianceRange: z.tuple([fraction, fraction]).nullable(),
  shareBase: z.enum(['supply', 'imports']),
  suppliers: z.array(countryShare),
  supplierHhi: hhi.nullable(),
  topSupplier: topShare,
  origins: z.array(originShare),
  topOrigin: originShare.nullable(),
  untracedShare: fraction.nullable(),
  exportsExceedSupply: z.boolean().nullable(),
  geopolRisk: z.number().min(0).max(1).nullable(),
  governanceYears: z.array(z.number().int()),
});

const quantity = z.strictObject({ country, quantity: z.number().min(0) });

export const gapSchema = z.strictObject({
  material: z.string(),
  stage: z.enum(['mining', 'refining']),
  basis: z.enum(['supplier', 'hhi', 'origin']),
  country,
  share: fraction,
  limit: z.number().min(0).max(10000),
  value: z.number().min(0).max(10000),
  excess: z.number().min(0),
  plan: z.array(quantity),
  unfilled: z.number().min(0),
  shareAfter: fraction,
  hhiAfter: hhi,
  accepted: z.boolean(),
  acceptReason: z.string().nullable(),
  cuts: z.array(quantity),
  unit: z.string(),
  year: z.number().int(),
  supply: z.number().min(0),
  productionYear: z.number().int().nullable(),
  candidates: z.number().int().min(0),
  severity: fraction,
  certainty: z.enum(['certain', 'possible']),
});

const limitsShape = {
  maxSingleCountryShare: fraction,
  maxSupplierHhi: hhi,
  maxRedirectShare: fraction,
  minGovernance: z.number(),
  partnerGroups: z.array(z.string()),
  excludeCountries: z.array(country).optional(),
};

export const policySchema = z.strictObject({
  importer: country,
  ...limitsShape,
  materials: z.record(z.string(), z.strictObject(limitsShape).partial()),
  accept: z.array(
    z.strictObject({
      material: z.string(),
      stage: z.enum(['mining', 'refining']).optional(),
      basis: z.enum(['supplier', 'hhi', 'origin']).optional(),
      country: country.optional(),
      reason: z.string(),
      expires: z.string().optional(),
    }),
  ),
});

export const stageSchema = z.looseObject({
  world: worldSchema.optional(),
  importer: importerSchema.optional(),
  risk: z.enum(['high', 'medium', 'low', 'unknown']).optional(),
  gaps: z.array(gapSchema).optional(),
});

export const reportSchema = z.looseObject({
  schemaVersion: z.literal(2),
  tool: z.strictObject({ name: z.literal('supply-risk'), version: z.string() }),
  importer: country,
  year: z.number().int().nullable(),
  policy: policySchema.optional(),
  materials: z.array(
    z.strictObject({
      material: z.string(),
      stages: z.strictObject({ mining: stageSchema.optional(), refining: stageSchema.optional() }),
    }),
  ),
  warnings: z.array(z.string()),
});

export function reportJsonSchema(): unknown {
  return z.toJSONSchema(reportSchema, { target: 'draft-2020-12' });
}
