/** `supply-risk report --format json`: concentration and exposure per material and stage, with gaps and risk. */
import { z } from 'zod';
import { countryCode, envelopeHead, gapSchema, materialName, policySchema, riskLevel, stageBlocks, warnings, year } from './common.js';

export const reportStageSchema = z
  .strictObject({
    ...stageBlocks,
    risk: riskLevel.describe("Risk level under the policy: high (a certain gap), medium, low, or unknown (the importer's trade is not covered)."),
    gaps: z.array(gapSchema).describe('Diversification gaps of this stage, most severe first; empty when there is none.'),
  })
  .describe('One stage of one material.');

export const reportSchema = z
  .strictObject({
    ...envelopeHead,
    importer: countryCode.describe('The importing country, ISO 3166-1 alpha-3.'),
    year: year.nullable().describe("The year given with --year; null when each block takes its source's latest year."),
    policy: policySchema,
    materials: z
      .array(
        z
          .strictObject({
            material: materialName,
            stages: z
              .strictObject({
                mining: reportStageSchema.optional().describe('Mining stage; absent when the data has nothing on it.'),
                refining: reportStageSchema.optional().describe('Refining stage; absent when the data has nothing on it.'),
                magnet: reportStageSchema
                  .optional()
                  .describe('Magnet stage (a component made from the refined material); absent when the data has nothing on it.'),
              })
              .describe('The stages the data has, by name.'),
          })
          .describe('One material.'),
      )
      .describe('Every material analysed, sorted by id.'),
    warnings,
  })
  .meta({
    title: 'supply-risk report --format json',
    description: "Concentration of world production and the importer's exposure, per material and stage, with gaps and risk levels under the policy.",
  });
