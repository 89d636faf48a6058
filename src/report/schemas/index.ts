/**
 * The JSON contract of every command that prints JSON, by command name. `supply-risk schema
 * [command]` prints one, `npm run schema` writes them all to schema/<command>.schema.json, and the
 * tests check each command's output against its schema.
 */
import { z } from 'zod';
import { checkSchema } from './check.js';
import { diffSchema } from './diff.js';
import { gapsSchema } from './gaps.js';
import { importSchema } from './import.js';
import { reportSchema } from './report.js';
import { shockSchema } from './shock.js';
import { traceSchema } from './trace.js';
import { trendSchema } from './trend.js';
import { validateSchema } from './validate.js';

export const COMMAND_SCHEMAS = {
  report: reportSchema,
  gaps: gapsSchema,
  check: checkSchema,
  diff: diffSchema,
  shock: shockSchema,
  trace: traceSchema,
  trend: trendSchema,
  validate: validateSchema,
  import: importSchema,
} as const;

export type SchemaCommand = keyof typeof COMMAND_SCHEMAS;

export const SCHEMA_COMMANDS = Object.keys(COMMAND_SCHEMAS) as SchemaCommand[];

export function isSchemaCommand(name: string): name is SchemaCommand {
  return Object.hasOwn(COMMAND_SCHEMAS, name);
}

/** The JSON Schema (draft 2020-12) of one command's JSON output. */
export function commandJsonSchema(command: SchemaCommand): Record<string, unknown> {
  return z.toJSONSchema(COMMAND_SCHEMAS[command], { target: 'draft-2020-12' }) as Record<string, unknown>;
}

/** Where `npm run schema` writes a command's schema, relative to the package root. */
export function schemaFileName(command: SchemaCommand): string {
  return `${command}.schema.json`;
}
