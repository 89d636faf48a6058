/**
 * Traces on tests/fixtures/analysis/shock (see shock.test.ts for the full hand calculation).
 * Cobalt refining, JPN supply 50 t: refiners CHN 31.25 (62.5%), FIN 15 (30%), KOR 3.75 (7.5%). Each is
 * traced only as far as its ore feed reaches (CHN 5/6, FIN 0.9, KOR 0.5); the rest stays under the
 * refiner, untraced. Origin -> refiner links: COD->CHN 31.25*5/6*5/6 = 21.701389, CHN->CHN
 * 31.25*5/6*1/6 + 31.25/6 = 9.548611 (partly untraced), COD->FIN 15*0.9*3/4 = 10.125, AUS->FIN 3.375,
 * FIN->FIN 1.5 (untraced), COD->KOR 3.75*0.5*5/6 = 1.5625, CHN->KOR 0.3125, KOR->KOR 1.875 (untraced).
 * Origins COD 33.388889, CHN 9.861111, AUS 3.375, KOR 1.875, FIN 1.5.
 * Cobalt mining, JPN supply 19 t, shippers COD 10, CHN 4, KOR 3, FIN 2; each split by its ore mix:
 * COD->COD 10, COD->CHN 10/3, CHN->CHN 2/3, COD->KOR 5/2, CHN->KOR 1/2, COD->FIN 3/2, AUS->FIN 1/2.
 */
import { describe, expect, it } from 'vitest';
import { dotString, mermaidText } from '../../src/report/trace-render.js';
import { runCli } from '../helpers/cli.js';

const DATA = 'tests/fixtures/analysis/shock';

interface Link {
  from: { tier: string; country: string };
  to: { tier: string; country: string };
  quantity: number;
  share: number;
  traced: boolean;
}

async function traceJson(...args: string[]) {
  const result = await runCli(['trace', 'cobalt', '--data', DATA, '--json', ...args]);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as {
    stage: string;
    middle: string;
    supply: number;
    nodes: { tier: string; country: string; quantity: number; share: number }[];
    links: Link[];
  };
}

const key = (link: Link): string => `${link.from.country}>${link.to.country}`;

describe('trace: numbers', () => {
  it('refining by default: mine origins -> refiners -> importer', async () => {
    const json = await traceJson();
    expect(json).toMatchObject({ stage: 'refining', middle: 'refiner', supply: 50 });
    const links = Object.fromEntries(json.links.filter((l) => l.from.tier === 'origin').map((l) => [key(l), l.quantity]));
    expect(links['COD>CHN']).toBeCloseTo(31.25 * (25 / 36), 9);
    expect(links['CHN>CHN']).toBeCloseTo(31.25 * (5 / 36) + 31.25 / 6, 9);
    expect(links['COD>FIN']).toBeCloseTo(10.125, 9);
    expect(links['AUS>FIN']).toBeCloseTo(3.375, 9);
    expect(links['FIN>FIN']).toBeCloseTo(1.5, 9);
    expect(links['COD>KOR']).toBeCloseTo(1.5625, 9);
    expect(links['KOR>KOR']).toBeCloseTo(1.875, 9);
    // CHN->KOR (0.3125 t, 0.6%) is below the default 1% and folded into "other".
    expect(links['other>KOR']).toBeCloseTo(0.3125, 9);
    const toImporter = json.links.filter((l) => l.to.tier === 'importer').map((l) => [l.from.country, l.share]);
    expect(toImporter).toEqual([
      ['CHN', 0.625],
      ['FIN', 0.3],
      ['KOR', 0.075],
    ]);
    const origins = json.nodes.filter((n) => n.tier === 'origin').map((n) => [n.country, n.quantity]);
    expect(origins.map(([c]) => c)).toEqual(['COD', 'CHN', 'AUS', 'KOR', 'FIN', 'other']);
    expect(origins[0]?.[1]).toBeCloseTo(33.388888889, 6);
  });

  it('--min-share folds small links into "other" and keeps the flows balanced', async () => {
    // Links below 5% (2.5 t) are re-attributed to the "other" origin: FIN->FIN 1.5, and all three links
    // into KOR (1.5625, 0.3125, 1.875); KOR still receives 3.75 t.
    const json = await traceJson('--min-share', '0.05');
    const links = json.links.filter((l) => l.from.tier === 'origin');
    expect(links.map(key)).toEqual(['COD>CHN', 'COD>FIN', 'CHN>CHN', 'AUS>FIN', 'other>KOR', 'other>FIN']);
    const intoKor = links.filter((l) => l.to.country === 'KOR').reduce((sum, l) => sum + l.quantity, 0);
    expect(intoKor).toBeCloseTo(3.75, 9);
    const chn = json.nodes.find((n) => n.tier === 'origin' && n.country === 'CHN');
    expect(chn?.quantity).toBeCloseTo(31.25 * (5 / 36) + 31.25 / 6, 9);
    // 10%: the KOR refiner (7.5%) is folded into "other" on the middle tier as well.
    const wide = await traceJson('--min-share', '0.1');
    expect(wide.nodes.filter((n) => n.tier === 'middle').map((n) => n.country)).toEqual(['CHN', 'FIN', 'other']);
  });

  it('mining stage: origins -> shipping countries -> importer', async () => {
    const json = await traceJson('--stage', 'mining');
    expect(json).toMatchObject({ stage: 'mining', middle: 'shipper', supply: 19 });
    const links = Object.fromEntries(json.links.filter((l) => l.from.tier === 'origin').map((l) => [key(l), l.quantity]));
    expect(links).toEqual({
      'COD>COD': expect.closeTo(10, 9),
      'COD>CHN': expect.closeTo(10 / 3, 9),
      'CHN>CHN': expect.closeTo(2 / 3, 9),
      'COD>KOR': expect.closeTo(2.5, 9),
      'CHN>KOR': expect.closeTo(0.5, 9),
      'COD>FIN': expect.closeTo(1.5, 9),
      'AUS>FIN': expect.closeTo(0.5, 9),
    });
    // Origin totals agree with the report's traced origins: COD 52/3, CHN 7/6, AUS 1/2.
    const origins = Object.fromEntries(json.nodes.filter((n) => n.tier === 'origin').map((n) => [n.country, n.quantity]));
    expect(origins.COD).toBeCloseTo(52 / 3, 9);
    expect(origins.CHN).toBeCloseTo(7 / 6, 9);
  });
});

describe('trace: pictures', () => {
  it('dot: one cluster per tier, tier-prefixed ids, an edge per link', async () => {
    const result = await runCli(['trace', 'cobalt', '--data', DATA, '--format', 'dot']);
    expect(result.code).toBe(0);
    const dot = result.stdout;
    expect(dot.startsWith('digraph supply {\n  rankdir=LR;')).toBe(true);
    expect(dot.trimEnd().endsWith('}')).toBe(true);
    expect(dot).toContain('subgraph cluster_origin {');
    expect(dot).toContain('subgraph cluster_middle {');
    expect(dot).toContain('o_COD [label="DR Congo (COD)\\n33.4 t · 66.8%"];');
    expect(dot).toContain('m_CHN [label="China (CHN)\\n31.3 t · 62.5%", style="rounded,filled,dashed"];');
    expect(dot).toMatch(/ {2}o_COD -> m_CHN \[label="21\.7 t · 43\.4%", penwidth=5\.77\];/);
    expect(dot).toMatch(/ {2}o_CHN -> m_CHN \[label="9\.55 t · 19\.1%", penwidth=3\.10, style=dashed\];/);
    expect(dot.match(/ -> /g)).toHaveLength(11);
  });

  it('mermaid: a flowchart with subgraphs and labelled links', async () => {
    const result = await runCli(['trace', 'cobalt', '--data', DATA, '--format', 'mermaid']);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 4)).toEqual([
      '---',
      'title: "cobalt refining · supply of Japan (JPN) in 2023: 50 t · dotted: origin not traced beyond this country"',
      '---',
      'flowchart LR',
    ]);
    expect(lines).toContain('  subgraph origins["Mine origins"]');
    expect(lines).toContain('  subgraph refiners["Refining countries"]');
    expect(lines).toContain('    o_COD["DR Congo (COD)<br/>33.4 t · 66.8%"]');
    // Links of 25% or more are thick (==>), the rest plain (-->).
    expect(lines).toContain('  o_COD ==>|"21.7 t · 43.4%"| m_CHN');
    expect(lines).toContain('  o_CHN -.->|"9.55 t · 19.1%"| m_CHN');
    expect(lines).toContain('  m_CHN -.->|"31.3 t · 62.5%"| i_JPN');
    expect(lines.filter((line) => line.trim() === 'end')).toHaveLength(2);
  });

  it('names from countries.csv are escaped in both languages', async () => {
    // tests/fixtures/analysis/names: COD is named  Evil "Co" <b>|#1\ [x] {y} `z` & -->  and AUS has a line break.
    const dot = (await runCli(['trace', 'cobalt', '--data', 'tests/fixtures/analysis/names', '--format', 'dot'])).stdout;
    expect(dot).toContain('o_COD [label="Evil \\"Co\\" <b>|#1\\\\ [x] {y} `z` & --> (COD)\\n8 t · 80.0%"];');
    expect(dot).toContain('o_AUS [label="Line Break; A|B (AUS)\\n2 t · 20.0%"];');
    const mermaid = (await runCli(['trace', 'cobalt', '--data', 'tests/fixtures/analysis/names', '--format', 'mermaid'])).stdout;
    expect(mermaid).toContain('o_COD["Evil #34;Co#34; #60;b#62;#124;#35;1#92; #91;x#93; #123;y#125; #96;z#96; #38; --#62; (COD)<br/>8 t · 80.0%"]');
    // Every label line still has exactly its two delimiting quotes.
    for (const line of mermaid.split('\n').filter((l) => l.includes('["'))) expect(line.match(/"/g)).toHaveLength(2);
    expect(dotString('a"b\\c\nd')).toBe('"a\\"b\\\\c d"');
    expect(mermaidText('Côte d’Ivoire')).toBe('Côte d#8217;Ivoire');
  });

  it('errors: a stage without supply, --material instead of the argument', async () => {
    const none = await runCli(['trace', 'antimony', '--data', DATA, '--stage', 'mining']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('JPN has no antimony supply at the mining stage; try --stage refining');
    const unknown = await runCli(['trace', 'gold', '--data', DATA]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no data for material gold');
  });
});
