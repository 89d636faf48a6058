/** `supply-risk schema`: the JSON Schema of the report, generated from the zod contract. */
import { renderJson } from '../../report/json.js';
import { reportJsonSchema } from '../../report/schema.js';
import { emit } from '../common.js';
import type { CliIo } from '../io.js';

export async function runSchema(options: { output?: string }, io: CliIo): Promise<number> {
  await emit(io, options, renderJson(reportJsonSchema()));
  return 0;
}
