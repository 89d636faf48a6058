/**
 * `supply-risk import SOURCE FILE... --json`: what an import read, kept and skipped (and why), the
 * rows it produced and, with --out, what it wrote into each contract file.
 */
import { z } from 'zod';
import { envelopeHead } from './common.js';

const count = z.number().int().min(0);

export const importSchema = z
  .strictObject({
    ...envelopeHead,
    source: z.string().describe('The importer run: usgs-mcs, wgi, itc-trademap, comtrade, baci, iea or wmd.'),
    files: z.array(z.string()).describe('The input files, as given on the command line.'),
    out: z.string().nullable().describe('The data folder merged into (--out), as given; null when the CSV went to stdout.'),
    read: count.describe('Records read from the input files: kept + skipped.'),
    kept: count.describe('Records turned into at least one output row.'),
    skipped: z
      .array(
        z
          .strictObject({
            reason: z.string().describe('Why these records were not kept, one sentence.'),
            count: count.describe('How many records were skipped for it.'),
            examples: z.array(z.string()).describe('Up to three of them (file and line, or record), so they can be found; empty when the reason needs none.'),
          })
          .describe('One reason records were skipped.'),
      )
      .describe('Every reason records were skipped, most frequent first: nothing is dropped without one.'),
    rows: z
      .strictObject({
        production: count.describe('production.csv rows produced.'),
        trade: count.describe('trade.csv rows produced.'),
        countries: count.describe('countries.csv rows produced.'),
        coverage: count.describe('coverage.csv rows produced (trade importers).'),
        gross: count.describe('trade-gross.csv rows produced (flows converted by a content factor).'),
      })
      .describe('Rows this import produced, per contract file.'),
    notes: z.array(z.string()).describe('Facts about the input that are not about one record (assumptions made), one sentence each.'),
    written: z
      .array(
        z
          .strictObject({
            file: z.string().describe('Contract file name in the --out folder, e.g. "trade.csv".'),
            written: count.describe('Rows of this import written to it.'),
            replaced: count.describe('Rows of an earlier run of the same source replaced.'),
            keptFromBefore: count.describe('Rows of other imports kept.'),
            setAside: count.describe('Rows left out by the production precedence rule (0 where it does not apply).'),
          })
          .describe('What the merge did to one file.'),
      )
      .describe('Each file written with --out, in the order written; empty without --out.'),
  })
  .meta({ title: 'supply-risk import --json', description: 'What an import of public source files read, kept, skipped and wrote.' });
