import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PRODUCTION_HEADER = 'material,stage,country,year,quantity,unit';
export const TRADE_HEADER = 'material,stage,exporter,importer,year,quantity,unit';

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
