"""River health (河湖健康评价指南 2020, SL/T 793-2020): scores, index, class, weakest layer."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from qingliu.assess.health import (
    curve_score,
    ecoflow_value,
    flow_alteration,
    load_system,
    river_health,
)


def values(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["river", "indicator", "value", "score"])


FEN = [
    ("汾河", "shoreline_natural", np.nan, 70.0),
    ("汾河", "ecoflow", np.nan, 60.0),
    ("汾河", "water_quality", 4, np.nan),  # class IV -> 60
    ("汾河", "fish", 80, np.nan),  # 80 % retained: halfway 75 (60) - 85 (80) -> 70
    ("汾河", "public_satisfaction", np.nan, 85.0),
    ("汾河", "self_purification", 6.0, np.nan),  # DO 6 mg/L -> 80
]


def test_river_health_by_hand() -> None:
    """Layers: 盆 70; 水 (60 + 60 + 80)/3 = 66.67; 生物 70; 社会服务 85.

    RHI = 0.2·70 + 0.3·66.67 + 0.2·70 + 0.3·85 = 73.5 -> 三类（亚健康）. Weighted shortfalls
    0.2·30 = 6, 0.3·33.3 = 10, 6, 4.5: the 水 layer pulls the river down.
    """
    row = river_health(values(FEN)).iloc[0]
    assert row["rhi"] == pytest.approx(73.5)
    assert row["class"] == 3 and "亚健康" in row["class_zh"]
    assert row["weakest_layer"] == "water" and row["weakest_layer_zh"] == "水"
    assert row["score_water"] == pytest.approx(200 / 3)
    assert row["missing_required"] == "shoreline_encroachment"


@pytest.mark.parametrize(("score", "klass"), [(90.0, 1), (89.99, 2), (75.0, 2), (74.9, 3), (60.0, 3), (40.0, 4), (39.9, 5)])
def test_class_boundaries(score: float, klass: int) -> None:
    rows = [("R", code, np.nan, score) for code in ("shoreline_natural", "ecoflow", "fish", "public_satisfaction")]
    assert river_health(values(rows))["class"].iloc[0] == klass


def test_ecoflow_score_takes_the_lower_season() -> None:
    """Lowest flow 25 % MAF in Oct-Mar -> 90; 35 % in Apr-Sep -> 60: the score is 60."""
    assert ecoflow_value(np.array([25.0]), np.array([35.0]))[0] == pytest.approx(60.0)
    assert ecoflow_value(np.array([40.0]), np.array([60.0]))[0] == 100.0  # flat beyond the ends


def test_flow_alteration_by_hand() -> None:
    """Every month 10 % above natural: FD = sqrt(12 · 0.1²) = 0.3464, scored 50 - (0.0464/1.2)·25."""
    fd = flow_alteration(np.full(12, 1.1), np.ones(12))
    assert fd == pytest.approx(np.sqrt(0.12))
    curve = load_system().indicators["flow_alteration"].spec["curve"]
    assert curve_score(fd, curve) == pytest.approx(50 - (np.sqrt(0.12) - 0.3) / 1.2 * 25)


def test_weights_are_data() -> None:
    system = load_system()
    layers = {code: dict(layer) for code, layer in system.layers.items()}
    layers["water"]["weight"] = 0.0
    row = river_health(values(FEN), replace(system, layers=layers)).iloc[0]
    assert row["rhi"] == pytest.approx((0.2 * 70 + 0.2 * 70 + 0.3 * 85) / 0.7)


def test_unknown_indicator_and_bad_score_are_refused() -> None:
    with pytest.raises(ValueError, match="not in the system"):
        river_health(values([("R", "unicorns", 1.0, np.nan)]))
    with pytest.raises(ValueError, match="0 and 100"):
        river_health(values([("R", "fish", np.nan, 120.0)]))
    with pytest.raises(ValueError, match="neither value nor score"):
        river_health(values([("R", "public_satisfaction", np.nan, np.nan)]))


def test_sl_t_793_option() -> None:
    system = load_system("sl_t_793_2020")
    assert len(system.layers) == 5 and "水文完整性" in [layer["zh"] for layer in system.layers.values()]
    rows = [("R", "flow_alteration", 0.05, np.nan), ("R", "water_quality", 2, np.nan), ("R", "benthic_ibi", np.nan, 50.0)]
    row = river_health(values(rows), system).iloc[0]
    # layers 水文 100, 化学 90, 生物 50 (equal weights 0.2): (100 + 90 + 50) / 3 = 80
    assert row["rhi"] == pytest.approx(80.0) and row["weakest_layer"] == "biology"


def test_indicators_from_daily_flows() -> None:
    """Constant 10 m3/s in 2001; in 2002 January 1.0 and July 3.0, else 10.

    MAF = (10 + (10·303 + 31 + 93)/365) / 2. 2002's lowest Oct-Mar flow is 1.0 and Apr-Sep 3.0.
    FD of 2002 against 2001: months 1 and 7 depart by -9 and -7 from a mean of 10:
    sqrt(0.81 + 0.49) = 1.1402.
    """
    from qingliu.assess.daily import DailyFlows
    from qingliu.assess.health import ecoflow_indicator, flow_alteration_indicator

    dates = pd.date_range("2001-01-01", "2002-12-31", freq="D")
    q = np.full(len(dates), 10.0)
    q[(dates.year == 2002) & (dates.month == 1)] = 1.0
    q[(dates.year == 2002) & (dates.month == 7)] = 3.0
    daily = DailyFlows(np.array(["S"]), dates, q[None, :])
    maf = (10 + (10 * 303 + 31 * 1.0 + 31 * 3.0) / 365) / 2  # 303 days of 10 in 2002
    eco = ecoflow_indicator(daily).set_index("year")
    assert eco.loc[2002, "general_pct"] == pytest.approx(100 / maf)
    assert eco.loc[2002, "spawning_pct"] == pytest.approx(300 / maf)
    assert eco.loc[2001, "score"] == 100
    fd = flow_alteration_indicator(daily, (2001, 2001)).set_index("year")
    assert fd.loc[2001, "fd"] == 0 and fd.loc[2001, "score"] == 100
    assert fd.loc[2002, "fd"] == pytest.approx(np.sqrt(0.81 + 0.49))
