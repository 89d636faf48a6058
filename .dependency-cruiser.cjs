// dependency-cruiser rules for src/ (npm run deps). The layers, top to bottom:
//
//   src/cli -> src/report -> src/metrics -> src/graph -> src/input -> src/domain
//   src/policy (the policy model, defaults and its loader) -> src/domain; read by metrics, report, cli
//   src/importers -> src/input, src/domain: the second pipeline (public files -> the data contract),
//   used by cli (and by report for the JSON of an import), never by the analysis layers
//   src/input/fast: the byte-level reader and its threads, behind src/input/loading's one interface
//   src/domain (ids, stages, problems) and src/io (safe writes) sit below all and import no layer.
//
// A module may import its own layer and any layer below it, never one above. Type-only imports
// count (tsPreCompilationDeps), so a shared type lives in the lowest module that needs it.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make load order fragile; move the shared part into the lower module or a new small one.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'cli-is-the-top',
      severity: 'error',
      comment: 'Only src/cli imports src/cli.',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'report-below-cli',
      severity: 'error',
      from: { path: '^src/report/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'metrics-below-report',
      severity: 'error',
      from: { path: '^src/metrics/' },
      to: { path: '^src/(report|cli)/' },
    },
    {
      name: 'graph-below-metrics',
      severity: 'error',
      from: { path: '^src/graph/' },
      to: { path: '^src/(metrics|report|cli)/' },
    },
    {
      name: 'input-below-graph',
      severity: 'error',
      comment: 'src/input reads a data folder; it knows nothing of the graph, metrics, reports or CLI.',
      from: { path: '^src/input/' },
      to: { path: '^src/(graph|metrics|report|cli)/' },
    },
    {
      name: 'importers-beside-the-analysis',
      severity: 'error',
      comment: 'src/importers turns public files into the data contract; it reads src/input, never the graph, metrics, reports or CLI.',
      from: { path: '^src/importers/' },
      to: { path: '^src/(graph|metrics|report|cli)/' },
    },
    {
      name: 'analysis-does-not-import-importers',
      severity: 'error',
      comment: 'The analysis reads a data folder; only the CLI (and the import JSON renderer) use the importers.',
      from: { path: '^src/(input|graph|metrics|io)/' },
      to: { path: '^src/importers/' },
    },
    {
      name: 'io-is-the-bottom',
      severity: 'error',
      comment: 'src/io is used by every layer and imports none of them.',
      from: { path: '^src/io/' },
      to: { path: '^src/(cli|report|metrics|graph|input|importers|policy|domain)/' },
    },
    {
      name: 'domain-is-the-base',
      severity: 'error',
      comment: 'src/domain holds ids, stages and error types for every layer; it imports no layer.',
      from: { path: '^src/domain/' },
      to: { path: '^src/(cli|report|metrics|graph|input|importers|policy|io)/' },
    },
    {
      name: 'policy-reads-only-the-domain',
      severity: 'error',
      comment: 'The policy model knows ids and stages, never the data folder, graph, metrics or output.',
      from: { path: '^src/policy/' },
      to: { path: '^src/(cli|report|metrics|graph|input|importers)/' },
    },
    {
      name: 'input-does-not-read-policy',
      severity: 'error',
      comment: 'Reading a data folder does not depend on a policy; the CLI checks one against the other.',
      from: { path: '^src/(input|graph|importers)/' },
      to: { path: '^src/policy/' },
    },
    {
      name: 'fast-path-behind-loading',
      severity: 'error',
      comment: "Only src/input itself (and validate's scan, which shares its byte parsers) reaches into src/input/fast.",
      from: { path: '^src/', pathNot: '^src/input/' },
      to: { path: '^src/input/fast/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing (a typo, or a module that moved).',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
