import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PRODUCTION_FILE, TRADE_FILE, type FileContract } from '../../src/input/contract.js';

/** The required columns of a contract file (input/contract.ts), as a header line. */
function requiredHeader(file: FileContract): string {
  return file.columns
    .filter((column) => column.required)
    .map((column) => column.name)
    .join(',');
}

export const PRODUCTION_HEADER = requiredHeader(PRODUCTION_FILE);
export const TRADE_HEADER = requiredHeader(TRADE_FILE);

/** Writes a throw-away data folder; files given as text or bytes, trade.csv defaults to a header. */
export function dataFolder(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'supply-risk-test-'));
  const all = { 'trade.csv': `${TRADE_HEADER}\n`, ...files };
  for (const [name, content] of Object.entries(all)) writeFileSync(join(dir, name), content);
  return dir;
}

export function production(...rows: string[]): string {
  return `${[PRODUCTION_HEADER, ...rows].join('\n')}\n`;
}

export function trade(...rows: string[]): string {
  return `${[TRADE_HEADER, ...rows].join('\n')}\n`;
}
