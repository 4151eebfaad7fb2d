"""Source loads: coefficients at their documented values and loads worked out by hand.

Documented values: ../shared/reference/standards.md §6 (GB 18596-2001 §1.2.2 pig equivalents,
国家环保总局 2002 per-head outputs, 标准农田 source strength, 第二次全国污染源普查 loss
coefficients, rural per-capita generation, river-entry coefficients λ).
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from qingliu.assess.loads import (
    ExportCoefficients,
    LoadError,
    entry_shares,
    load_export_coefficients,
    source_loads,
)
from qingliu.standards import load_toml

COEF = load_export_coefficients()


def _sources(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def _one(**row) -> pd.Series:
    row.setdefault("source_id", "S1")
    return source_loads(_sources(row)).iloc[0]


# --- coefficients at their documented values ----------------------------------------------


def test_pig_equivalents_of_gb_18596():
    # §1.2.2: 30 laying hens = 1 pig, 60 broilers = 1 pig, 1 dairy cow = 10 pigs, 1 beef cow =
    # 5 pigs; 3 sheep = 1 pig (§1.2.5, M?).
    assert COEF.pig_equivalent == pytest.approx(
        {"pig": 1.0, "laying_hen": 1 / 30, "broiler": 1 / 60, "dairy_cow": 10.0, "beef_cattle": 5.0, "sheep": 1 / 3}
    )


def test_per_head_outputs_of_the_2002_survey():
    out = COEF.livestock_output
    assert out["pig"] == pytest.approx({"cod": 26.61, "nh3n": 2.17, "tn": 4.51, "tp": 1.70})
    assert out["beef_cattle"] == pytest.approx({"cod": 248.2, "nh3n": 25.2, "tn": 61.1, "tp": 10.1})
    assert out["laying_hen"] == pytest.approx({"cod": 1.17, "nh3n": 0.13, "tn": 0.28, "tp": 0.12})


def test_standard_farmland_and_census_loss_coefficients():
    assert COEF.farmland_strength == {"cod": 10.0, "nh3n": 2.0}
    assert COEF.ranges["farmland_correction"] == (0.6, 1.5)
    assert COEF.loss == {
        "wheat_maize": {"tn": 0.389, "nh3n": 0.034, "tp": 0.080},
        "other_field": {"tn": 0.406, "nh3n": 0.039, "tp": 0.083},
        "open_vegetables": {"tn": 0.948, "nh3n": 0.011, "tp": 0.064},
        "orchard": {"tn": 0.692, "nh3n": 0.006, "tp": 0.038},
    }


def test_rural_per_capita_and_river_entry_coefficients():
    assert COEF.rural_g_per_day == {"cod": 16.4, "nh3n": 4.0, "tn": 5.0, "tp": 0.44}
    assert COEF.ranges["rural_cod"] == (16.4, 40.0)
    for kind in ("cropland", "livestock", "rural_domestic"):
        assert COEF.river_entry[kind] == 0.1
    assert COEF.river_entry_range["wwtp"] == (0.6, 1.0)


# --- loads by hand ----------------------------------------------------------------------------


def test_point_source_flow_times_concentration():
    # 10 000 m3/d × 30 mg/L × 365 d / 10^6 g/t = 109.5 t/a COD; 10 000 × 1.5 × 365e-6 = 5.475.
    row = _one(kind="industrial", node_id="N1", county_id="C", flow_m3d=10_000, cod_mgl=30.0, nh3n_mgl=1.5,
               tp_mgl=0.4, tn_mgl=10.0)
    assert row["cod_generated_ta"] == pytest.approx(109.5)
    assert row["nh3n_ta"] == pytest.approx(5.475)  # λ = 1 for an outfall
    assert row["method"] == "flow_concentration"


def test_reported_load_wins_over_flow_times_concentration():
    row = _one(kind="wwtp", node_id="N1", county_id="C", flow_m3d=10_000, cod_mgl=30.0, nh3n_mgl=1.5,
               tp_mgl=0.4, tn_mgl=10.0, cod_ta=100.0)
    assert row["cod_ta"] == 100.0
    assert row["tn_ta"] == pytest.approx(36.5)
    assert row["method"] == "reported+flow_concentration"


def test_livestock_by_pig_equivalents():
    # 300 laying hens = 10 pigs: COD 10 × 26.61 kg = 0.2661 t generated, × λ 0.1 entering.
    row = _one(kind="livestock", county_id="C", subtype="蛋鸡", activity=300, activity_unit="head")
    assert row["cod_generated_ta"] == pytest.approx(0.2661)
    assert row["tp_generated_ta"] == pytest.approx(10 * 1.70 / 1000)
    assert row["cod_ta"] == pytest.approx(0.02661)


def test_livestock_per_animal_option():
    data = copy.deepcopy(load_toml("export_coefficients"))
    data["livestock"]["method"] = "per_animal"
    coef = ExportCoefficients.from_mapping(data)
    frame = _sources({"source_id": "B", "kind": "livestock", "county_id": "C", "subtype": "cattle", "activity": 2},
                     {"source_id": "S", "kind": "livestock", "county_id": "C", "subtype": "sheep", "activity": 30})
    rows = source_loads(frame, coef)
    assert rows["cod_generated_ta"].tolist() == pytest.approx([2 * 248.2 / 1000, 10 * 26.61 / 1000])


def test_cropland_census_coefficients_and_standard_farmland_cod():
    # 1000 mu of maize (other field crops): COD 1000 × 10 kg = 10 t; TN 1000 × 0.406 kg;
    # NH3-N 1000 × 0.039 kg; TP 1000 × 0.083 kg.
    row = _one(kind="cropland", county_id="C", subtype="maize", activity=1000, activity_unit="mu")
    generated = [row[f"{i}_generated_ta"] for i in ("cod", "nh3n", "tp", "tn")]
    assert generated == pytest.approx([10.0, 0.039, 0.083, 0.406])
    assert row["tn_ta"] == pytest.approx(0.0406)


def test_cropland_percent_of_applied_option_and_area_units():
    data = copy.deepcopy(load_toml("export_coefficients"))
    data["cropland"]["loss_unit"] = "percent_of_applied"
    data["cropland"]["nh3n_method"] = "standard_farmland"
    coef = ExportCoefficients.from_mapping(data)
    # 100 hectares = 1500 mu of vegetables: TN 1500 × 25 kg N × 0.948 % = 355.5 kg;
    # TP 1500 × 5 kg P × 0.064 % = 4.8 kg; NH3-N from the 标准农田 strength 1500 × 2 kg = 3 t.
    row = source_loads(_sources({"source_id": "V", "kind": "cropland", "county_id": "C", "subtype": "蔬菜",
                                 "activity": 100, "activity_unit": "公顷"}), coef).iloc[0]
    assert row["tn_generated_ta"] == pytest.approx(0.3555)
    assert row["tp_generated_ta"] == pytest.approx(0.0048)
    assert row["nh3n_generated_ta"] == pytest.approx(3.0)


def test_rural_domestic_per_capita():
    # 1 万人 = 10 000 persons × 16.4 g/d × 365 d / 10^6 = 59.86 t/a COD; × λ 0.1.
    row = _one(kind="rural_domestic", county_id="C", activity=1, activity_unit="万人")
    assert row["cod_generated_ta"] == pytest.approx(59.86)
    assert row["tp_ta"] == pytest.approx(10_000 * 0.44 * 365e-6 * 0.1)


def test_urban_runoff_needs_rain_unless_reported():
    frame = _sources({"source_id": "R", "kind": "urban_runoff", "county_id": "C", "activity": 1, "activity_unit": "km2"})
    with pytest.raises(LoadError, match="rain_mm"):
        source_loads(frame)
    # 1 km2 × 0.5 m × 0.55 × 120 g/m3 = 33 t COD.
    assert source_loads(frame, rain_mm=500).loc[0, "cod_generated_ta"] == pytest.approx(33.0)


def test_distance_to_river_lowers_lambda():
    frame = _sources(*({"source_id": f"R{d}", "kind": "rural_domestic", "county_id": "C", "activity": 100,
                        "distance_km": d} for d in (0.5, 5.0, 20.0, np.nan)))
    assert source_loads(frame)["river_entry"].tolist() == pytest.approx([0.1, 0.085, 0.07, 0.1])


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ({"kind": "livestock", "subtype": "camel", "activity": 5}, "未知的畜禽种类"),
        ({"kind": "cropland", "subtype": "rice", "activity": 5}, "unknown crop"),
        ({"kind": "mine", "activity": 5}, "unknown source kind"),
        ({"kind": "cropland", "subtype": "maize", "activity": 5, "activity_unit": "head"}, "activity unit"),
        ({"kind": "industrial", "node_id": "N"}, "loads cannot be computed"),
    ],
)
def test_bad_sources_are_named_in_both_languages(row, words):
    with pytest.raises(LoadError, match=words) as caught:
        source_loads(_sources({"source_id": "BAD", "county_id": "C", **row}))
    assert caught.value.sources == ("BAD",)
    assert " / " in str(caught.value)


# --- where loads enter --------------------------------------------------------------------------


def test_entry_shares_by_reach_length_in_the_nearest_county():
    #  a (10 km) → b (30 km) → o        c (20 km) → o        county X seat near a and b,
    #  county Y seat near c; the point source enters whole at b.
    nodes = pd.DataFrame({"node_id": ["a", "b", "c", "o"], "lon": [112.0, 112.1, 113.0, 112.5],
                          "lat": [37.0, 37.0, 37.0, 36.0], "length_km": [10.0, 30.0, 20.0, np.nan]})
    counties = pd.DataFrame({"county_id": ["X", "Y"], "lon": [112.05, 113.0], "lat": [37.0, 37.1]})
    sources = pd.DataFrame({"source_id": ["p", "x", "y"], "node_id": ["b", None, None], "county_id": ["X", "X", "Y"]})
    shares = entry_shares(sources, nodes, counties).toarray()
    assert shares == pytest.approx(np.array([[0, 1, 0, 0], [0.25, 0.75, 0, 0], [0, 0, 1, 0]]))


def test_entry_shares_of_a_county_without_nodes_go_to_the_reach_nearest_its_seat():
    # Z's seat is nearest the outlet o, which has no reach below it: the load enters at a.
    nodes = pd.DataFrame({"node_id": ["a", "o"], "lon": [112.0, 112.2], "lat": [37.0, 37.0], "length_km": [5.0, np.nan]})
    counties = pd.DataFrame({"county_id": ["X", "Z"], "lon": [112.0, 112.3], "lat": [37.0, 37.0]})
    sources = pd.DataFrame({"source_id": ["z"], "node_id": [None], "county_id": ["Z"]})
    assert entry_shares(sources, nodes, counties).toarray() == pytest.approx(np.array([[1.0, 0.0]]))


def test_urban_sources_enter_at_the_reach_nearest_the_county_seat():
    #  a (10 km) -> b (30 km) -> o; the seat of X lies by b: rural loads spread 1:3, urban at b.
    nodes = pd.DataFrame({"node_id": ["a", "b", "o"], "lon": [112.0, 112.1, 112.2], "lat": [37.0, 37.0, 37.0],
                          "length_km": [10.0, 30.0, np.nan]})
    counties = pd.DataFrame({"county_id": ["X"], "lon": [112.11], "lat": [37.0]})
    sources = pd.DataFrame({"source_id": ["r", "u", "w"], "node_id": [None, None, None], "county_id": ["X"] * 3,
                            "kind": ["rural_domestic", "urban_domestic", "urban_runoff"]})
    shares = entry_shares(sources, nodes, counties).toarray()
    assert shares == pytest.approx(np.array([[0.25, 0.75, 0], [0, 1, 0], [0, 1, 0]]))


def test_entry_shares_reject_unknown_nodes_and_counties():
    nodes = pd.DataFrame({"node_id": ["a"], "lon": [112.0], "lat": [37.0], "length_km": [np.nan]})
    counties = pd.DataFrame({"county_id": ["X"], "lon": [np.nan], "lat": [np.nan]})
    with pytest.raises(LoadError, match="not a node"):
        entry_shares(pd.DataFrame({"source_id": ["p"], "node_id": ["zz"], "county_id": ["X"]}), nodes, counties)
    with pytest.raises(LoadError, match="no coordinates"):
        entry_shares(pd.DataFrame({"source_id": ["q"], "node_id": [None], "county_id": ["X"]}), nodes, counties)
