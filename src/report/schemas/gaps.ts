/** `supply-risk gaps --format json`: the diversification gaps, most severe first, and the policy behind them. */
import { z } from 'zod';
import { acceptEntryShape, countryCode, envelopeHead, gapSchema, materialName, policySchema, stageName, warnings, year } from './common.js';

export const acceptStateSchema = z
  .strictObject({
    index: z.number().int().min(0).describe("Position of the entry in the policy's accept list, from 0."),
    ...acceptEntryShape,
    status: z.enum(['active', 'expired', 'stale']).describe('active: matches a gap and counts; expired: past its expires date; stale: matches no gap.'),
    matched: z.number().int().min(0).describe('Gaps the entry matches, whether or not it still counts.'),
  })
  .describe('One accept entry of the policy and what it did.');

/** The fields `gaps` prints; `check` prints them too (check.ts). */
export const gapsShape = {
  ...envelopeHead,
  importer: countryCode.describe('The importing country, ISO 3166-1 alpha-3.'),
  year: year.nullable().describe("The year given with --year; null when each block takes its source's latest year."),
  policy: policySchema,
  gaps: z.array(gapSchema).describe('Every gap of every material and stage, most severe first.'),
  unknownStages: z
    .array(z.strictObject({ material: materialName, stage: stageName.describe('Supply-chain stage.') }).describe('A stage whose trade is not covered.'))
    .describe("Stages where the importer's trade is not covered: no gap could be found or ruled out there."),
  accepts: z.array(acceptStateSchema).describe("Each accept entry of the policy, in the policy's order."),
  warnings,
};

export const gapsSchema = z.strictObject(gapsShape).meta({
  title: 'supply-risk gaps --format json',
  description: 'Diversification gaps against the policy, most severe first: volume to move, proposed suppliers, what stays unfilled.',
});
