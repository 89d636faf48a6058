/**
 * The README's coverage table ("What the data can and cannot tell") is recomputed here from
 * data/production.csv and data/coverage.csv, so a data update that changes what is covered fails
 * until the README says so.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

type Row = Record<string, string>;

function rows(file: string): Row[] {
  return parse(readFileSync(`${ROOT}data/${file}`), { columns: true, bom: true }) as Row[];
}

/** 2017, 2018, 2019, 2022 -> "2017-2019, 2022". */
function spans(years: Iterable<number>): string {
  const sorted = [...new Set(years)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j += 1;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

function expectedTable(): string[] {
  const production = new Map<string, number[]>();
  for (const row of rows('production.csv')) {
    const key = `${row.material}|${row.stage}`;
    production.set(key, [...(production.get(key) ?? []), Number(row.year)]);
  }
  const imports = new Map<string, { years: number[]; partial: boolean }>();
  for (const row of rows('coverage.csv')) {
    if (row.importer !== 'JPN' || row.flow !== 'import') continue;
    const key = `${row.material}|${row.stage}`;
    const entry = imports.get(key) ?? { years: [], partial: false };
    entry.years.push(Number(row.year));
    entry.partial ||= row.extent === 'partial';
    imports.set(key, entry);
  }
  const materials = [...new Set([...production.keys(), ...imports.keys()].map((key) => key.split('|')[0] ?? ''))].sort();
  return materials.map((material) => {
    const cells = [material];
    for (const stage of ['mining', 'refining']) {
      const key = `${material}|${stage}`;
      const world = production.get(key);
      const covered = imports.get(key);
      cells.push(world ? spans(world) : '-');
      cells.push(covered ? `${spans(covered.years)}${covered.partial ? ' (partial)' : ''}` : world ? '**unknown**' : '-');
    }
    return `| ${cells.join(' | ')} |`;
  });
}

describe('README', () => {
  it("the coverage table matches the embedded data's production and coverage", () => {
    const readme = readFileSync(`${ROOT}README.md`, 'utf8');
    const start = readme.indexOf('| material | world mining |');
    expect(start).toBeGreaterThan(0);
    const table = readme.slice(start).split('\n\n')[0]?.split('\n').slice(2) ?? [];
    expect(table).toEqual(expectedTable());
    const withProduction = new Set(rows('production.csv').map((row) => row.material));
    expect(readme).toContain(`covers **world production** of ${withProduction.size} materials`);
    // The magnet stage is not a column of the table: its sentence names Japan's covered years.
    const magnetYears = rows('coverage.csv')
      .filter((row) => row.stage === 'magnet' && row.importer === 'JPN' && row.flow === 'import')
      .map((row) => Number(row.year));
    expect(magnetYears.length).toBeGreaterThan(0);
    expect(readme.replace(/\s+/g, ' ')).toContain(`Japan's imports are covered for ${spans(magnetYears)}.`);
    // "No source gives world magnet production by country": true while production.csv has no magnet row.
    expect(rows('production.csv').some((row) => row.stage === 'magnet')).toBe(false);
  });
});
