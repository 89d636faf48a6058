/**
 * data/ is rebuilt byte for byte by scripts/rebuild-data.sh from the public reference files, with the
 * project's own importers: every figure of the embedded data traces back to a cited file.
 * The reference files are not part of the repository (see data/SOURCES.md); where the folder is
 * absent the test is skipped and says so.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const REFERENCE = process.env.SUPPLY_RISK_REFERENCE ?? resolve(ROOT, '../shared/reference-data');
const present = existsSync(join(REFERENCE, 'usgs-mcs2024'));
if (!present) console.warn(`rebuild test skipped: no reference folder at ${REFERENCE} (set SUPPLY_RISK_REFERENCE)`);

describe.skipIf(!present)('the embedded data rebuilt from the reference files', () => {
  const out = mkdtempSync(join(tmpdir(), 'supply-risk-rebuild-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('equals data/ byte for byte, file by file', () => {
    execFileSync('bash', [join(ROOT, 'scripts/rebuild-data.sh'), out, REFERENCE], { stdio: ['ignore', 'ignore', 'pipe'] });
    const shipped = readdirSync(join(ROOT, 'data'))
      .filter((file) => file.endsWith('.csv'))
      .sort();
    expect(
      readdirSync(out)
        .filter((file) => file.endsWith('.csv'))
        .sort(),
    ).toEqual(shipped);
    for (const file of shipped) {
      const rebuilt = readFileSync(join(out, file));
      expect(rebuilt.equals(readFileSync(join(ROOT, 'data', file))), `${file} differs from data/${file}`).toBe(true);
    }
  }, 180_000);
});
