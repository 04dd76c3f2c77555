"""Make the embedded sample in data/sample from the real data directory.

The sample is one council cut from the real files, laid out like a data directory
(same relative file names, so the same loaders read it), plus Scotland's indicator
totals so a ranking on the sample still compares with the whole of Scotland:

    python scripts/make_sample.py ../shared/data/scotland --council Highland

Geometry is kept as published (already simplified); coordinates are rounded to 1 m in
British National Grid (EPSG:27700 is stored: the loader accepts it as it is).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from localities import load, outcomes, sources

OUT = Path(__file__).resolve().parents[1] / "data" / "sample"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--council", default="Highland")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    src, out = args.data_dir, args.out
    if out.exists():
        shutil.rmtree(out)
    lookup = load.load_lookup(2011, src)
    code = load.resolve_council(args.council, lookup)
    zones = set(lookup.loc[lookup["council"] == code, "datazone"])
    ward_codes = set(lookup.loc[lookup["council"] == code, "ward"])

    def keep_rows(key: str, column: str, values: set, encoding: str = "utf-8") -> None:
        path = sources.find(key, src)
        rel = path.relative_to(src)
        frame = load.read_csv(path)
        frame = frame[frame[column].str.strip().isin(values)]
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(out / rel, index=False, encoding=encoding)

    keep_rows("dz_lookup_2011", "DZ2011_Code", zones, encoding="cp1252")  # as SG publishes it
    keep_rows("simd_lookup", "DZ", zones)
    keep_rows("simd_indicators", "Data_Zone", zones)
    keep_rows("nrs_population_2021", "dz11_code", zones)
    keep_rows("nrs_population_2020", "dz11_code", zones)  # single year of age: weights for age-group indicators

    def keep_shapes(key: str, column: str, values: set) -> None:
        path = sources.find(key, src)
        rel = path.relative_to(src)
        frame = load.read_boundaries(path, code_field="datazone" if key.startswith("dz") else "iz")
        frame = frame[frame[column].isin(values)].copy()
        frame["geometry"] = shapely.set_precision(frame.geometry.values, 1.0)
        frame["geometry"] = [load._polygonal(g) for g in shapely.make_valid(frame.geometry.values)]
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        gpd.GeoDataFrame(frame, geometry="geometry", crs=load.BNG).to_file(out / rel, driver="GPKG", layer=rel.stem)

    keep_shapes("dz_boundaries_2011", "dz11_code", zones)
    keep_shapes("ward_boundaries_2022", "ward22_code", ward_codes)
    keep_shapes("council_boundaries", "ltla24_code", {code})

    # Scotland's totals on each population vintage, so comparisons stay on one vintage.
    frames = []
    for population in load.POPULATIONS:
        table = load.zone_table(src, population=population)
        frames.append(outcomes.sums(table, None, outcomes.available(table))
                      .assign(area="Scotland", population_source=population))
    pd.concat(frames, ignore_index=True).to_csv(out / outcomes.SCOTLAND_SUMS, index=False)
    name = lookup.loc[lookup["council"] == code, "council_name"].iloc[0]
    (out / "SAMPLE.md").write_text(
        f"# Embedded sample: {name}\n\n"
        f"Made by `scripts/make_sample.py` from the real data directory: the {len(zones)} 2011 Data Zones of "
        f"{name} ({code}) cut from each file, with the same relative file names so the same loaders read it. "
        "Boundaries are the simplified SG/ONS polygons described in shared/data/scotland/PROVENANCE.md, "
        "reprojected to British National Grid and rounded to 1 m. `scotland_sums.csv` holds Scotland's "
        "indicator totals (all 6,976 zones, on each population vintage), so rankings on the sample compare with the whole of Scotland.\n\n"
        f"{sources.attribution()}\n",
        encoding="utf-8")
    print(f"wrote {out} ({len(zones)} zones of {name})")


if __name__ == "__main__":
    main()
