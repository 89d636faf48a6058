/**
 * The DuckDB peer: what an analyst would write in SQL instead of running supply-risk.
 *
 *   duckdb-peer.mjs report DATA_DIR IMPORTER YEAR   one year (what `supply-risk report --year Y` computes)
 *   duckdb-peer.mjs trend DATA_DIR IMPORTER         every year (what `supply-risk trend` computes)
 *   duckdb-peer.mjs baci BACI_CSV HS_MAP CODES_CSV OUT_CSV
 *                                                   BACI -> canonical trade rows (`supply-risk import baci`)
 *
 * Prints its results as JSON on stdout (with computeMs, the time of the work after start-up), in the shape bench/lib/check.mjs compares: per material, stage
 * and year the world production concentration, the importer's supply by supplier and the exporters'
 * concentration; for baci, the total quantity written per material, stage and year.
 * Semantics follow src/metrics: shares of a total that includes the unattributed code ZZZ, which adds
 * no HHI term and is never top; the importer's own production is one of its suppliers.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const UNATTRIBUTED = 'ZZZ';
const quote = (text) => `'${String(text).replaceAll("'", "''")}'`;

const PRODUCTION_COLUMNS = `{'material':'VARCHAR','stage':'VARCHAR','country':'VARCHAR','year':'INTEGER','quantity':'DOUBLE','unit':'VARCHAR'}`;
const TRADE_COLUMNS = `{'material':'VARCHAR','stage':'VARCHAR','exporter':'VARCHAR','importer':'VARCHAR','year':'INTEGER','quantity':'DOUBLE','unit':'VARCHAR'}`;

/** Loads production and one pass of trade aggregated by exporter; `where` narrows to the chosen years. */
function loadStatements(dataDir, importer, where) {
  return [
    `CREATE TEMP TABLE prod AS
       SELECT material, stage, year, country, sum(quantity) AS q
       FROM read_csv(${quote(`${dataDir}/production.csv`)}, header = true, columns = ${PRODUCTION_COLUMNS})
       ${where} GROUP BY ALL`,
    // One scan of trade: per exporter the total shipped and the part shipped to the importer.
    `CREATE TEMP TABLE ex AS
       SELECT material, stage, year, exporter, sum(quantity) AS q,
              coalesce(sum(quantity) FILTER (WHERE importer = ${quote(importer)}), 0) AS to_importer
       FROM read_csv(${quote(`${dataDir}/trade.csv`)}, header = true, columns = ${TRADE_COLUMNS})
       ${where} GROUP BY ALL`,
  ];
}

/** HHI, top share and total of `tbl`'s quantities by `who`, per material, stage and year. */
function concentrationQuery(tbl, who) {
  return `
    SELECT material, stage, year, sum(q) AS total,
           coalesce(sum(power(100 * q / t, 2)) FILTER (WHERE ${who} <> '${UNATTRIBUTED}' AND q > 0), 0) AS hhi,
           max(q) FILTER (WHERE ${who} <> '${UNATTRIBUTED}' AND q > 0) / sum(q) AS top_share
    FROM (SELECT *, sum(q) OVER (PARTITION BY material, stage, year) AS t FROM ${tbl})
    GROUP BY ALL ORDER BY ALL`;
}

/**
 * The importer block: supply = own production + imports; supplier HHI over every source (its own
 * production included); top supplier = the largest foreign source; import reliance (I - E) / (P + I - E),
 * and 1 where the importer produces nothing and imports something (its re-exports do not make it self-reliant).
 */
function importerQuery(importer) {
  return `
    WITH imports AS (
      SELECT material, stage, year, sum(to_importer) AS imports,
             max(to_importer) FILTER (WHERE exporter <> '${UNATTRIBUTED}') AS top_q,
             coalesce(sum(to_importer * to_importer) FILTER (WHERE exporter <> '${UNATTRIBUTED}'), 0) AS sq
      FROM ex WHERE to_importer > 0 GROUP BY ALL),
    exports AS (SELECT material, stage, year, q AS exports FROM ex WHERE exporter = ${quote(importer)}),
    own AS (SELECT material, stage, year, q AS own FROM prod WHERE country = ${quote(importer)} AND q > 0),
    keys AS (SELECT material, stage, year FROM imports UNION SELECT material, stage, year FROM own),
    joined AS (
      SELECT k.material, k.stage, k.year, coalesce(o.own, 0) AS own, coalesce(i.imports, 0) AS imports,
             coalesce(e.exports, 0) AS exports, i.top_q, coalesce(i.sq, 0) AS sq
      FROM keys k LEFT JOIN imports i USING (material, stage, year)
                  LEFT JOIN exports e USING (material, stage, year)
                  LEFT JOIN own o USING (material, stage, year))
    SELECT material, stage, year, own, imports, exports,
           10000 * (sq + own * own) / power(own + imports, 2) AS supplier_hhi,
           top_q / (own + imports) AS top_supplier_share,
           CASE WHEN own = 0 AND imports > 0 THEN 1
                WHEN own + imports - exports <= 0 THEN 0
                ELSE greatest(0, least(1, (imports - exports) / (own + imports - exports))) END AS import_reliance
    FROM joined ORDER BY ALL`;
}

async function rows(connection, sql) {
  return (await connection.runAndReadAll(sql)).getRowObjectsJson();
}

async function analysis(connection, dataDir, importer, year) {
  const where = year === undefined ? '' : `WHERE year = ${Number(year)}`;
  for (const statement of loadStatements(dataDir, importer, where)) await connection.run(statement);
  return {
    world: await rows(connection, concentrationQuery('prod', 'country')),
    exporters: await rows(connection, concentrationQuery('ex', 'exporter')),
    importer: await rows(connection, importerQuery(importer)),
  };
}

/** BACI rows with a known product and quantity, as canonical trade rows merged per key. */
async function convertBaci(connection, baciFile, hsMap, codesFile, outFile) {
  await connection.run(`CREATE TEMP TABLE codes AS SELECT * FROM read_csv(${quote(codesFile)}, header = true, all_varchar = true)`);
  await connection.run(
    `CREATE TEMP TABLE hs AS SELECT hs6, material, stage, try_cast(content_factor AS DOUBLE) AS factor
     FROM read_csv(${quote(hsMap)}, header = true, all_varchar = true)`,
  );
  // content-factors.csv beside the map (as supply-risk reads it): a factor per exporting country wins; a
  // code with such factors and none of its own counts only for the countries listed.
  const byOriginFile = join(dirname(hsMap), 'content-factors.csv');
  await connection.run(
    existsSync(byOriginFile)
      ? `CREATE TEMP TABLE by_origin AS SELECT hs6, origin, try_cast(content_factor AS DOUBLE) AS factor
         FROM read_csv(${quote(byOriginFile)}, header = true, all_varchar = true)`
      : 'CREATE TEMP TABLE by_origin (hs6 VARCHAR, origin VARCHAR, factor DOUBLE)',
  );
  await connection.run(`
    CREATE TEMP TABLE converted AS
    SELECT material, stage, exporter, importer, year, sum(q * factor) AS quantity, 't' AS unit
    FROM (
      SELECT hs.material, hs.stage, e.alpha3 AS exporter, i.alpha3 AS importer, b.t AS year, b.q,
             coalesce(o.factor, hs.factor, CASE WHEN b.k IN (SELECT hs6 FROM by_origin) THEN NULL ELSE 1 END) AS factor
      FROM read_csv(${quote(baciFile)}, header = true, nullstr = 'NA',
                    columns = {'t':'INTEGER','i':'VARCHAR','j':'VARCHAR','k':'VARCHAR','v':'DOUBLE','q':'DOUBLE'}) b
      JOIN hs ON b.k = hs.hs6
      JOIN codes e ON b.i = e.numeric
      JOIN codes i ON b.j = i.numeric
      LEFT JOIN by_origin o ON o.hs6 = b.k AND o.origin = e.alpha3
      WHERE b.q IS NOT NULL)
    WHERE factor IS NOT NULL
    GROUP BY ALL`);
  await connection.run(`COPY (SELECT * FROM converted ORDER BY ALL) TO ${quote(outFile)} (HEADER, DELIMITER ',')`);
  return {
    totals: await rows(connection, 'SELECT material, stage, year, sum(quantity) AS quantity FROM converted GROUP BY ALL ORDER BY ALL'),
  };
}

async function main([task, ...args]) {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  // The work alone, without Node's and DuckDB's start-up: reported next to the whole-process time.
  const started = performance.now();
  let result;
  if (task === 'report') result = await analysis(connection, args[0], args[1], args[2]);
  else if (task === 'trend') result = await analysis(connection, args[0], args[1], undefined);
  else if (task === 'baci') result = await convertBaci(connection, args[0], args[1], args[2], args[3]);
  else throw new Error(`unknown task ${task}`);
  process.stdout.write(JSON.stringify({ ...result, computeMs: performance.now() - started }));
}

await main(process.argv.slice(2));
