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

export const importerSchema = z.strictObject({
  year: z.number().int(),
  productionYear: z.number().int().nullable(),
  unit: z.string(),
  production: z.number().min(0),
  imports: z.number().min(0),
  exports: z.number().min(0),
  supply: z.number().min(0),
  importReliance: fraction,
  suppliers: z.array(countryShare),
  supplierHhi: hhi,
  topSupplier: topShare,
  origins: z.array(originShare),
  topOrigin: originShare.nullable(),
  untracedShare: fraction,
  geopolRisk: z.number().min(0).max(1).nullable(),
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
});

const limitsShape = {
  maxSingleCountryShare: fraction,
  maxSupplierHhi: hhi,
  maxRedirectShare: fraction,
  minGovernance: z.number().min(-2.5).max(2.5),
  partnerGroups: z.array(z.string()),
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
  risk: z.enum(['high', 'medium', 'low']).optional(),
  gaps: z.array(gapSchema).optional(),
});

export const reportSchema = z.looseObject({
  schemaVersion: z.literal(1),
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
