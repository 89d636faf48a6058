/** `supply-risk shock --format json`: what the importer loses when one country's supply falls. */
import { z } from 'zod';
import { countryCode, envelopeHead, fraction, materialName, planSchema, policySchema, quantity, shareBase, stageBlocks, warnings, year } from './common.js';
import { STAGES } from '../../domain/fields.js';

export const stageShockSchema = z
  .strictObject({
    direct: fraction.describe('Share of supply lost directly: produced (refining, magnet) or mined and shipped (mining) by the country.'),
    viaRefiners: fraction.describe(
      'Share of supply lost through third countries: its ore or refined output processed (refining, magnet) or re-exported (mining) elsewhere.',
    ),
    total: fraction.describe('direct + viaRefiners, already multiplied by the fraction.'),
    lostQuantity: quantity.describe('Volume lost, in unit.'),
    replaceable: quantity.describe('Part of the lost volume eligible candidates could replace under the policy, in unit.'),
    shortfall: quantity.describe('lostQuantity - replaceable, in unit.'),
    shortfallShare: fraction.describe('shortfall / supply.'),
    transit: fraction.describe('Share of supply shipped by the country but produced elsewhere; not counted in total (assumed re-routable).'),
    unit: z.string().describe('Unit of every quantity of this stage.'),
    year: year.describe('Year of the importer block the shock applies to.'),
    shareBase: shareBase.describe('What the shares are of: supply (P + I), or imports when own production is not exactly known.'),
    worldYear: year.nullable().describe('Year of the world block the candidates come from; null when there are no production figures.'),
    supply: quantity.describe("The importer's supply (or imports, see shareBase), in unit."),
    plan: planSchema.describe('Proposed replacement purchases per candidate, largest first.'),
    candidates: z.number().int().min(0).describe('Eligible candidates with spare capacity considered.'),
  })
  .describe('The shock at one stage.');

const shockStageSchema = z
  .strictObject({
    ...stageBlocks,
    shock: stageShockSchema.nullable().describe('The shock at this stage; null when the importer\'s trade is not covered (unknown, not "nothing lost").'),
  })
  .describe("One stage: the report's blocks and the shock.");

export const shockSchema = z
  .strictObject({
    ...envelopeHead,
    importer: countryCode.describe('The importing country, ISO 3166-1 alpha-3.'),
    year: year.nullable().describe("The year given with --year; null when each block takes its source's latest year."),
    scenario: z
      .strictObject({
        country: countryCode.describe('The country whose supply falls (--country).'),
        fraction: fraction.describe('Share of its supply that stops (--fraction), 0..1.'),
        stage: z.enum([...STAGES, 'all']).describe('Stage(s) shocked (--stage).'),
      })
      .describe('The what-if scenario.'),
    policy: policySchema,
    materials: z
      .array(
        z
          .strictObject({
            material: materialName,
            shortfallShare: fraction.describe("The largest shortfall share of the material's stages; materials are listed by it, largest first."),
            stages: z
              .strictObject({
                mining: shockStageSchema.optional().describe('Mining stage; absent when the shock does not reach it.'),
                refining: shockStageSchema.optional().describe('Refining stage; absent when the shock does not reach it.'),
                magnet: shockStageSchema.optional().describe('Magnet stage; absent when the shock does not reach it.'),
              })
              .describe('The stages hit, by name.'),
          })
          .describe('One material the shock reaches.'),
      )
      .describe('Materials the shock reaches, largest shortfall share first.'),
    warnings,
  })
  .meta({
    title: 'supply-risk shock --format json',
    description: "What-if: a country's supply falls by a fraction; the importer's lost share, what candidates could replace, the shortfall.",
  });
