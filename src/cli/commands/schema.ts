/**
 * `supply-risk schema [command]`: the JSON Schema of a command's `--format json` output (default
 * `report`), generated from the zod contracts in src/report/schemas/. With `--out-dir DIR` it
 * writes every command's schema to DIR/<command>.schema.json (what `npm run schema` does).
 */
import { join } from 'node:path';
import { UsageError } from '../../domain/problems.js';
import { renderJson } from '../../report/json.js';
import { commandJsonSchema, isSchemaCommand, SCHEMA_COMMANDS, schemaFileName } from '../../report/schema.js';
import { emit } from '../common.js';
import type { CliIo } from '../io.js';

export interface SchemaOptions {
  output?: string;
  outDir?: string;
}

export async function runSchema(command: string | undefined, options: SchemaOptions, io: CliIo): Promise<number> {
  if (options.outDir !== undefined) {
    if (command !== undefined) throw new UsageError("--out-dir writes every command's schema; give no command with it");
    if (options.output !== undefined) throw new UsageError('--out-dir conflicts with --output');
    for (const name of SCHEMA_COMMANDS) {
      await emit(io, { output: join(options.outDir, schemaFileName(name)) }, renderJson(commandJsonSchema(name)));
    }
    return 0;
  }
  const name = command ?? 'report';
  if (!isSchemaCommand(name)) throw new UsageError(`no JSON output for "${name}"; commands with one: ${SCHEMA_COMMANDS.join(', ')}`);
  await emit(io, options, renderJson(commandJsonSchema(name)));
  return 0;
}
