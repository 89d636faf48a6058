/**
 * `import SOURCE -` reads standard input: the last step of docs/data.md's "Beyond one machine", where
 * DuckDB or Spark SQL filters the full BACI to the mapped HS codes and streams the rows in. The filter
 * itself runs outside the product; here a small BACI file stands for its output, and the rows written
 * must equal those of the same file given by name (only the `source` names differ).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const FILE = 'tests/fixtures/importers/baci/BACI_HS17_Y2024_excerpt.csv';

function run(argv: string[], input?: string) {
  const result = spawnSync(process.execPath, [join(ROOT, 'bin/supply-risk.js'), ...argv], {
    cwd: ROOT,
    encoding: 'utf8',
    input,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('import from standard input', () => {
  it('gives the rows of the same file read by name', () => {
    const byName = run(['import', 'baci', FILE]);
    const piped = run(['import', 'baci', '-'], readFileSync(join(ROOT, FILE), 'utf8'));
    expect(piped.code).toBe(0);
    expect(piped.stdout.split('\n').length).toBeGreaterThan(2);
    expect(piped.stdout.replaceAll('stdin.csv', 'BACI_HS17_Y2024_excerpt.csv')).toBe(byName.stdout);
    expect(piped.stderr).toContain('baci: read 11 records, kept 10, skipped 1');
  });

  it('refuses "-" twice, and an empty input is an empty file', () => {
    expect(run(['import', 'baci', '-', '-'], '').stderr).toBe('error: "-" (standard input) can be given once\n');
    const empty = run(['import', 'baci', '-'], '');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('stdin.csv: file is empty');
  });
});
