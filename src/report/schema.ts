/**
 * The JSON contracts as zod schemas, one module per command in ./schemas/. This module keeps the
 * names earlier code and tests import (the report's contract and its parts).
 */
export { gapSchema, importerSchema, policySchema, worldSchema } from './schemas/common.js';
export { reportSchema, reportStageSchema as stageSchema } from './schemas/report.js';
export { COMMAND_SCHEMAS, SCHEMA_COMMANDS, commandJsonSchema, isSchemaCommand, schemaFileName, type SchemaCommand } from './schemas/index.js';
import { commandJsonSchema } from './schemas/index.js';

export function reportJsonSchema(): unknown {
  return commandJsonSchema('report');
}
