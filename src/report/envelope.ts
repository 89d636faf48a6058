/**
 * The head every JSON output starts with (the contract version and the tool that wrote it), in its
 * own module so that json.ts and gaps-json.ts can both use it without importing each other.
 */

export const SCHEMA_VERSION = 2;

export interface ToolInfo {
  name: string;
  version: string;
}

/** The head every JSON output starts with: the contract version and the tool that wrote it. */
export function envelopeHead(tool: ToolInfo): { schemaVersion: number; tool: ToolInfo } {
  return { schemaVersion: SCHEMA_VERSION, tool: { name: tool.name, version: tool.version } };
}
