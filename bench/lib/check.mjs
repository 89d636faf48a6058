/**
 * Checks that the peers computed the same numbers as supply-risk before any time is printed: a
 * benchmark of different answers would compare nothing. Every result is reduced to "facts" keyed
 * `material|stage|year` with the same field names, whatever its source (CLI JSON or a peer's JSON).
 */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';

export const TOLERANCE = 1e-6;

const key = (material, stage, year) => `${material}|${stage}|${year}`;
const shareOf = (entry) => (entry ? entry.share : null);

/** Facts of a peer's analysis (world concentration and the importer block). */
export function peerFacts(peer) {
  const facts = new Map();
  const at = (row) => {
    const k = key(row.material, row.stage, row.year);
    if (!facts.has(k)) facts.set(k, {});
    return facts.get(k);
  };
  for (const row of peer.world) Object.assign(at(row), { worldTotal: row.total, worldHhi: row.hhi, worldTopShare: row.top_share });
  for (const row of peer.importer) {
    Object.assign(at(row), {
      own: row.own,
      imports: row.imports,
      exports: row.exports,
      supplierHhi: row.supplier_hhi,
      topSupplierShare: row.top_supplier_share,
      importReliance: row.import_reliance,
    });
  }
  return facts;
}

/** The exporters' concentration, which only the peers compute (the issue's reference query). */
export function exporterFacts(peer) {
  return new Map(
    peer.exporters.map((row) => [key(row.material, row.stage, row.year), { exporterHhi: row.hhi, exporterTopShare: row.top_share, exportTotal: row.total }]),
  );
}

/** Facts of `supply-risk report --json` (src/report/json.ts). */
export function reportFacts(report) {
  const facts = new Map();
  for (const { material, stages } of report.materials) {
    for (const [stage, { world, importer }] of Object.entries(stages)) {
      if (world) {
        const entry = facts.get(key(material, stage, world.year)) ?? {};
        facts.set(key(material, stage, world.year), Object.assign(entry, { worldTotal: world.total, worldHhi: world.hhi, worldTopShare: shareOf(world.top) }));
      }
      if (importer) {
        const entry = facts.get(key(material, stage, importer.year)) ?? {};
        facts.set(
          key(material, stage, importer.year),
          Object.assign(entry, {
            own: importer.production,
            imports: importer.imports,
            exports: importer.exports,
            supplierHhi: importer.supplierHhi,
            topSupplierShare: shareOf(importer.topSupplier),
            importReliance: importer.importReliance,
          }),
        );
      }
    }
  }
  return facts;
}

/**
 * Names under which `trend` may carry each series, as dotted paths inside one year's object (or the
 * series' own name when it is a list of {year, value}). The trend JSON is not specified yet, so the
 * extraction is tolerant; whatever it does not recognise is simply not compared (and said so).
 */
const TREND_FIELDS = [
  ['worldHhi', /^(world\.hhi|worldHhi|hhi)$/],
  ['worldTopShare', /^(world\.top\.share|worldTopShare|topShare|topProducerShare|topCountryShare|top\.share|topCountry\.share)$/],
  ['importReliance', /^(importer\.importReliance|importReliance)$/],
  ['supplierHhi', /^(importer\.supplierHhi|supplierHhi)$/],
  ['topSupplierShare', /^(importer\.topSupplier\.share|topSupplier\.share|topSupplierShare)$/],
];

function trendField(path) {
  return TREND_FIELDS.find(([, pattern]) => pattern.test(path))?.[0];
}

function numericLeaves(value, prefix = '', depth = 0, out = []) {
  if (depth > 3 || value === null || typeof value !== 'object' || Array.isArray(value)) return out;
  for (const [name, child] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (typeof child === 'number') out.push([path, child]);
    else numericLeaves(child, path, depth + 1, out);
  }
  return out;
}

/**
 * `topSupplier: null, topSupplierShare: 0` means there is no such supplier: the peers say null
 * (no row to take a maximum of), so the share is read as null too.
 */
function noneShare(node, path, value) {
  const named = /^(\w+)Share$/.exec(path)?.[1];
  return named && named in node && node[named] === null && value === 0 ? null : value;
}

/** Facts of `supply-risk trend --format json`, found by walking the document (see TREND_FIELDS). */
export function trendFacts(trend) {
  const facts = new Map();
  const recognised = new Set();
  const record = (context, year, field, value) => {
    if (!field || !context.material || !context.stage || typeof value !== 'number') return;
    const k = key(context.material, context.stage, year);
    if (!facts.has(k)) facts.set(k, {});
    facts.get(k)[field] = value;
    recognised.add(field);
  };
  const walk = (node, context, name) => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item, context, name);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const here = { ...context };
    if (typeof node.material === 'string') here.material = node.material;
    if (typeof node.stage === 'string') here.stage = node.stage;
    if (name === 'mining' || name === 'refining') here.stage = name;
    if (typeof node.year === 'number') {
      // Either one year's object with named fields, or one point of a series named by its parent key.
      if ('value' in node) record(here, node.year, trendField(name), node.value);
      else for (const [path, value] of numericLeaves(node)) record(here, node.year, trendField(path), noneShare(node, path, value));
      return;
    }
    for (const [childName, child] of Object.entries(node)) walk(child, here, childName);
  };
  walk(trend, {}, '');
  return { facts, recognised: [...recognised] };
}

function close(a, b) {
  if (a === null || b === null || a === undefined || b === undefined) return (a ?? null) === (b ?? null);
  const diff = Math.abs(a - b);
  return diff <= TOLERANCE * Math.max(Math.abs(a), Math.abs(b)) || diff < 1e-12;
}

/** Importer quantities a peer leaves out with its row (no imports, no own production): zero there. */
const ZERO_WHEN_ABSENT = new Set(['own', 'imports', 'exports']);

/**
 * Compares `actual` to `expected` (supply-risk) field by field. `twoWay`: keys only one side has are
 * mismatches (for report, both cover the same year); otherwise only the expected side's keys are
 * compared. `fields` limits the comparison (default: every field the expected side has).
 *
 * A figure supply-risk gives as unknown (null or absent: no trade source covers the importer there,
 * issue 11) is not compared: the peers know nothing of coverage and print 0. Such figures are counted
 * in `unknown`, so that a run that compares little says so.
 */
export function compareFacts(expected, actual, { twoWay = true, fields } = {}) {
  const mismatches = [];
  let compared = 0;
  let unknown = 0;
  const keys = new Set([...expected.keys(), ...(twoWay ? actual.keys() : [])]);
  for (const k of [...keys].sort()) {
    const want = expected.get(k);
    const got = actual.get(k);
    if (!want || !got) {
      mismatches.push(`${k}: only in ${want ? 'supply-risk' : 'the peer'}`);
      continue;
    }
    for (const field of fields ?? Object.keys(want)) {
      if (!(field in want) && !(field in got)) continue;
      if (want[field] === null || want[field] === undefined) {
        unknown += 1;
        continue;
      }
      compared += 1;
      const peer = got[field] === undefined && ZERO_WHEN_ABSENT.has(field) ? 0 : got[field];
      if (!close(want[field], peer)) mismatches.push(`${k} ${field}: ${want[field]} vs ${peer}`);
    }
  }
  return { ok: mismatches.length === 0 && compared > 0, compared, unknown, mismatches: mismatches.slice(0, 5), mismatchCount: mismatches.length };
}

/** Total quantity per material, stage and year of a canonical trade.csv (the output of import baci). */
export async function tradeTotals(file) {
  const totals = new Map();
  const parser = createReadStream(file).pipe(parse({ columns: true, bom: true, skip_empty_lines: true }));
  for await (const row of parser) {
    const k = key(row.material, row.stage, row.year);
    totals.set(k, { quantity: (totals.get(k)?.quantity ?? 0) + Number(row.quantity) });
  }
  return totals;
}

export function peerTotals(peer) {
  return new Map(peer.totals.map((row) => [key(row.material, row.stage, row.year), { quantity: row.quantity }]));
}
