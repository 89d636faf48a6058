/**
 * `supply-risk check --format json`: the CI gate's verdict on top of the `gaps` fields, and with
 * --baseline the comparison's findings. Kept in its own module: whoever changes check's JSON
 * (gaps-json.ts checkEnvelope) changes this contract beside it.
 */
import { z } from 'zod';
import { findingSchema } from './diff.js';
import { fraction } from './common.js';
import { gapsShape } from './gaps.js';

const count = z.number().int().min(0);

export const checkSchema = z
  .strictObject({
    ...gapsShape,
    today: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .describe('The day accept entries were compared with, YYYY-MM-DD (SUPPLY_RISK_TODAY, else the local date).'),
    passed: z.boolean().describe('True when failing is 0 (exit code 0); false otherwise (exit code 1 unless --no-exit-code).'),
    failing: count.describe('Without --baseline: open gaps (certain, not accepted). With it: findings that fail (new or worse than the baseline).'),
    accepted: count.describe('Gaps an unexpired accept entry matches.'),
    possible: count.describe('Gaps not accepted that hold over part of the range of own production only: reported, not failing.'),
    open: count.optional().describe('With --baseline: open gaps (certain, not accepted), failing or not.'),
    baseline: z.string().optional().describe('With --baseline: the folder compared with, as given.'),
    tolerance: fraction.optional().describe("With --baseline: share points of supply (a fraction) a gap's severity may grow before it counts as worse."),
    relianceUp: fraction.nullable().optional().describe('With --baseline: rise of import reliance (a fraction) that fails; null when not checked.'),
    geopolUp: z.number().nullable().optional().describe('With --baseline: rise of GeoPolRisk that fails; null when not checked.'),
    unchangedOpen: count.optional().describe('With --baseline: open gaps that were open in the baseline too (they pass).'),
    findings: z.array(findingSchema).optional().describe('With --baseline: every finding of the comparison, failing or not.'),
  })
  .meta({
    title: 'supply-risk check --format json',
    description: 'The CI gate: the gaps against the policy and the verdict; with --baseline, only what is new or worse fails.',
  });
