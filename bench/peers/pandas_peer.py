"""The pandas peer: what an analyst would write with pandas instead of running supply-risk.

    pandas_peer.py report DATA_DIR IMPORTER YEAR   one year (what `supply-risk report --year Y` computes)
    pandas_peer.py trend DATA_DIR IMPORTER         every year (what `supply-risk trend` computes)
    pandas_peer.py baci BACI_CSV HS_MAP CODES_CSV OUT_CSV
                                                   BACI -> canonical trade rows (`supply-risk import baci`)

Prints JSON on stdout in the same shape as duckdb-peer.mjs (see that file for the semantics), with
computeMs, the time of the work after start-up. Written the way a competent pandas user would:
explicit dtypes, categorical keys, grouped sums; pandas cannot skip rows while reading, so a year
filter applies after the read.
"""
import json
import os
import sys
import time

import pandas as pd

UNATTRIBUTED = "ZZZ"
KEYS = ["material", "stage", "year"]


def read_production(data_dir):
    return pd.read_csv(
        f"{data_dir}/production.csv",
        dtype={"material": "category", "stage": "category", "country": "category",
               "year": "int32", "quantity": "float64", "unit": "category"},
    )


def read_trade(data_dir):
    return pd.read_csv(
        f"{data_dir}/trade.csv",
        dtype={"material": "category", "stage": "category", "exporter": "category", "importer": "category",
               "year": "int32", "quantity": "float64", "unit": "category"},
    )


def concentration(quantities, who):
    """HHI, top share and total per material, stage and year of a Series indexed by KEYS + [who]."""
    frame = quantities.rename("q").reset_index()
    frame[who] = frame[who].astype(str)
    totals = frame.groupby(KEYS, observed=True)["q"].sum().rename("total")
    countable = frame[(frame[who] != UNATTRIBUTED) & (frame["q"] > 0)].join(totals, on=KEYS)
    countable["term"] = (100 * countable["q"] / countable["total"]) ** 2
    grouped = countable.groupby(KEYS, observed=True)
    result = pd.DataFrame({"hhi": grouped["term"].sum(), "top_q": grouped["q"].max()})
    result = totals.to_frame().join(result)
    result["hhi"] = result["hhi"].fillna(0)
    result["top_share"] = result["top_q"] / result["total"]
    return result.drop(columns="top_q")


def importer_block(by_exporter_to_importer, exports_by_key, own_by_key):
    """Supply = own production + imports; supplier HHI over all sources; top = largest foreign one."""
    imports = by_exporter_to_importer[by_exporter_to_importer > 0].rename("q").reset_index()
    imports["exporter"] = imports["exporter"].astype(str)
    foreign = imports[imports["exporter"] != UNATTRIBUTED].assign(sq=lambda f: f["q"] ** 2)
    per_key = pd.DataFrame({
        "imports": imports.groupby(KEYS, observed=True)["q"].sum(),
        "top_q": foreign.groupby(KEYS, observed=True)["q"].max(),
        "sq": foreign.groupby(KEYS, observed=True)["sq"].sum(),
    })
    own = own_by_key[own_by_key > 0].rename("own")
    frame = per_key.join(own, how="outer").join(exports_by_key.rename("exports"), how="left")
    frame[["imports", "sq", "own", "exports"]] = frame[["imports", "sq", "own", "exports"]].fillna(0)
    supply = frame["own"] + frame["imports"]
    frame["supplier_hhi"] = 10000 * (frame["sq"] + frame["own"] ** 2) / supply ** 2
    frame["top_supplier_share"] = frame["top_q"] / supply
    apparent = supply - frame["exports"]
    reliance = ((frame["imports"] - frame["exports"]) / apparent).clip(0, 1)
    frame["import_reliance"] = reliance.where(apparent > 0, 0)
    # No production and some imports: fully reliant, whatever it re-exports (as supply-risk counts it).
    frame.loc[(frame["own"] == 0) & (frame["imports"] > 0), "import_reliance"] = 1.0
    return frame[["own", "imports", "exports", "supplier_hhi", "top_supplier_share", "import_reliance"]]


def analysis(data_dir, importer, year):
    production = read_production(data_dir)
    trade = read_trade(data_dir)
    if year is not None:
        production = production[production["year"] == year]
        trade = trade[trade["year"] == year]
    prod = production.groupby(KEYS + ["country"], observed=True)["quantity"].sum()
    by_exporter = trade.groupby(KEYS + ["exporter"], observed=True)["quantity"].sum()
    to_importer = trade[trade["importer"] == importer].groupby(KEYS + ["exporter"], observed=True)["quantity"].sum()
    exports = trade[trade["exporter"] == importer].groupby(KEYS, observed=True)["quantity"].sum()
    own = production[production["country"] == importer].groupby(KEYS, observed=True)["quantity"].sum()
    return {
        "world": records(concentration(prod, "country")),
        "exporters": records(concentration(by_exporter, "exporter")),
        "importer": records(importer_block(to_importer, exports, own)),
    }


def convert_baci(baci_file, hs_map, codes_file, out_file):
    """BACI rows with a known product and quantity, as canonical trade rows merged per key."""
    codes = pd.read_csv(codes_file, dtype=str).set_index("numeric")["alpha3"]
    hs = pd.read_csv(hs_map, dtype=str)
    hs["factor"] = pd.to_numeric(hs["content_factor"], errors="coerce")
    # content-factors.csv beside the map (as supply-risk reads it): a factor per exporting country wins;
    # a code with such factors and none of its own counts only for the countries listed.
    by_origin_file = os.path.join(os.path.dirname(hs_map), "content-factors.csv")
    by_origin = (pd.read_csv(by_origin_file, dtype=str) if os.path.exists(by_origin_file)
                 else pd.DataFrame(columns=["hs6", "origin", "content_factor"]))
    by_origin["origin_factor"] = pd.to_numeric(by_origin["content_factor"], errors="coerce")
    baci = pd.read_csv(baci_file, dtype={"t": "int32", "i": str, "j": str, "k": str, "v": "float64", "q": "float64"},
                       na_values=["NA"], keep_default_na=False)
    baci = baci[baci["q"].notna()].merge(hs[["hs6", "material", "stage", "factor"]], left_on="k", right_on="hs6")
    baci["exporter"] = baci["i"].map(codes)
    baci["importer"] = baci["j"].map(codes)
    baci = baci[baci["exporter"].notna() & baci["importer"].notna()]
    baci = baci.merge(by_origin[["hs6", "origin", "origin_factor"]], how="left", left_on=["k", "exporter"], right_on=["hs6", "origin"],
                      suffixes=("", "_origin"))
    listed = baci["k"].isin(set(by_origin["hs6"]))
    factor = baci["origin_factor"].fillna(baci["factor"])
    baci["factor"] = factor.where(factor.notna() | listed, 1.0)
    baci = baci[baci["factor"].notna()]
    baci["quantity"] = baci["q"] * baci["factor"]
    converted = (baci.rename(columns={"t": "year"})
                 .groupby(["material", "stage", "exporter", "importer", "year"], observed=True)["quantity"].sum().reset_index())
    converted["unit"] = "t"
    converted.to_csv(out_file, index=False)
    totals = converted.groupby(KEYS, observed=True)["quantity"].sum()
    return {"totals": records(totals)}


def records(frame):
    """Rows as JSON-ready dicts: plain Python scalars, NaN (e.g. no foreign supplier) as null like SQL."""
    frame = frame.reset_index()
    for column in ("material", "stage"):
        frame[column] = frame[column].astype(str)
    return [{key: plain(value) for key, value in row.items()} for row in frame.to_dict("records")]


def plain(value):
    if hasattr(value, "item"):
        value = value.item()
    return None if isinstance(value, float) and value != value else value


def main(task, *args):
    # The work alone, without the interpreter's and pandas' start-up: reported next to the process time.
    started = time.perf_counter()
    if task == "report":
        result = analysis(args[0], args[1], int(args[2]))
    elif task == "trend":
        result = analysis(args[0], args[1], None)
    elif task == "baci":
        result = convert_baci(*args)
    else:
        raise SystemExit(f"unknown task {task}")
    result["computeMs"] = (time.perf_counter() - started) * 1000
    json.dump(result, sys.stdout, allow_nan=False)


if __name__ == "__main__":
    main(*sys.argv[1:])
