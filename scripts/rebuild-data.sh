#!/usr/bin/env bash
# Rebuilds the embedded dataset from the public reference files with the project's own importers,
# into OUT (default: a new temporary folder), so that it can be compared with data/ byte for byte.
# Usage: scripts/rebuild-data.sh [OUT] [REFERENCE]   (REFERENCE defaults to ../shared/reference-data)
# Run `npm run build` first. data/SOURCES.md describes each input; this script is the one place the
# commands are written, and tests/importers/rebuild.test.ts runs it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$(mktemp -d)}"
R="${2:-$root/../shared/reference-data}"
cli() { node "$root/bin/supply-risk.js" "$@"; }

mkdir -p "$out"
# Maintained by hand in this repository (not imported): the HS map, content factors and country groups.
cp "$root/data/hs-codes.csv" "$root/data/content-factors.csv" "$root/data/groups.csv" "$root/data/acknowledged.csv" "$out/"

# production.csv: USGS, three editions, oldest first (each revises the one before).
cli import usgs-mcs "$R"/usgs-mcs2024/*.csv --out "$out"
cli import usgs-mcs "$R/usgs-mcs2025/MCS2025_World_Data.csv" --out "$out"
cli import usgs-mcs "$R/usgs-mcs2026/usgs_mcs2026_commodities_data.csv" --out "$out"
# production.csv: refining from the IEA, 2024 and 2025 editions.
cli import iea "$R/iea-cm-data-explorer-2024/CM_Data_Explorer May 2024 (2).xlsx" \
  --stages refining --materials cobalt,lithium,nickel,graphite,rare-earths --out "$out"
cli import iea "$R/iea-cm-data-explorer-2025-derived/iea.json" \
  --stages refining --materials cobalt,lithium,nickel,graphite,rare-earths --out "$out"
# production.csv: World Mining Data 2024 (2018-2022); where USGS gives a year, USGS's rows are kept (precedence rule).
cli import wmd "$R/world-mining-data-2024-derived/world_mining_data.db" --out "$out"
# governance.csv and countries.csv: WGI political stability, with the groups.
cli import wgi "$R/worldbank-wgi/API_PV.EST_DS2_en_csv_v2_7919.csv" \
  "$R/worldbank-wgi/Metadata_Country_API_PV.EST_DS2_en_csv_v2_7919.csv" --groups "$out/groups.csv" --out "$out"
# trade.csv, coverage.csv, trade-gross.csv: ITC (Japan 2017-2021), BACI 2024, Comtrade 2022/2024 and the Quad workbooks.
cli import itc-trademap "$R"/itc-trademap-japan/*/*.txt --out "$out"
cli import baci "$R/baci-hs17-2024/trade.parquet" --out "$out"
cli import comtrade "$R/un-comtrade-hs6-2022-2024/comtrade_2022.csv.gz" "$R/un-comtrade-hs6-2022-2024/comtrade_2024.csv.gz" \
  "$R/un-comtrade-quad-2019-2024/p3 minerals quad world.xlsx" "$R/un-comtrade-quad-2019-2024/p3 minerals quad china.xlsx" \
  --out "$out"
echo "$out"
