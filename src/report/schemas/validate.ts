/**
 * `supply-risk validate --format json`: every file of a data folder, its rows accounted for, its
 * problems, and the data-sanity warnings. validate numbers its contract on its own (commands/validate.ts
 * VALIDATE_SCHEMA_VERSION); kept in its own module, beside the command that is still changing.
 */
import { z } from 'zod';

const warningClass = z.enum(['duplicate-row', 'jump', 'acknowledged', 'coverage', 'note']);

const count = z.number().int().min(0);

export const validateSchema = z
  .strictObject({
    schemaVersion: z.literal(2).describe('Version of the validate JSON contract (its own numbering; 2 since warnings carry a class, a file and lines).'),
    valid: z.boolean().describe('True when no file has a problem; false otherwise (exit code 2).'),
    strict: z.boolean().describe('True with --strict: a valid folder with data-integrity warnings then exits 1.'),
    files: z
      .array(
        z
          .strictObject({
            file: z.string().describe('File name within the data folder, e.g. "production.csv".'),
            present: z.boolean().describe('False when the file is absent (allowed for optional files).'),
            rowsRead: count.describe('Data rows read: rowsUsed + rowsRejected + rowsBlank + rowsSkipped.'),
            rowsUsed: count.describe('Rows that passed every check.'),
            rowsRejected: count.describe('Rows with a problem.'),
            rowsBlank: count.describe('Blank rows.'),
            rowsSkipped: count.describe('Valid rows outside the requested years or materials.'),
            problems: z
              .array(
                z
                  .strictObject({
                    line: count
                      .nullable()
                      .describe('Physical line of the record, from 1 (its last line when it spans several); null for a whole-file problem.'),
                    column: count.nullable().describe('Field number, from 1; null for a whole-row or whole-file problem.'),
                    message: z.string().describe('What is wrong, and how to fix it where that is clear.'),
                  })
                  .describe('One problem.'),
              )
              .describe('The first 50 problems of the file.'),
            problemsOmitted: count.describe('Problems beyond the first 50, counted but not listed.'),
          })
          .describe('One file of the data folder.'),
      )
      .describe('Each file the folder may hold, in a fixed order.'),
    warningCounts: z
      .strictObject({
        'duplicate-row': count.describe('Rows of production.csv or trade.csv that repeat an earlier row exactly.'),
        jump: count.describe('Quantities that change by a large factor from one year with data to the next.'),
        acknowledged: count.describe('Jumps that acknowledged.csv names as checked source figures (not failing --strict).'),
        coverage: count.describe("Notes on what the data covers (the loader's warnings)."),
        note: count.describe('Other notes, e.g. trade rows converted by a content factor.'),
      })
      .describe('Warnings found per class, listed or not.'),
    warnings: z
      .array(
        z
          .strictObject({
            class: warningClass.describe('duplicate-row, jump (data-integrity classes), acknowledged (a jump acknowledged.csv names), coverage or note.'),
            integrity: z.boolean().describe('True for the data-integrity classes (duplicate-row, jump), which --strict fails on.'),
            file: z.string().nullable().describe('The file the warning is about; null for the folder as a whole.'),
            lines: z.array(count).describe('Lines of that file the message names, in its order; empty when none.'),
            message: z.string().describe('What was found, one sentence.'),
          })
          .describe('One warning.'),
      )
      .describe('Warnings, integrity classes first (duplicates, then jumps), then the notes; the first 50 of each class and file.'),
    warningsOmitted: count.describe('Warnings beyond those listed, counted but not listed.'),
  })
  .meta({
    title: 'supply-risk validate --format json',
    description: 'A data folder checked: rows read, used, rejected, blank and skipped per file, and every problem.',
  });
