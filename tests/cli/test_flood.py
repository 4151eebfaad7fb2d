"""``qingliu flood ...`` and ``qingliu drought ...`` end to end on small files and the bundled example.

The sub-apps are mounted on a local root here, as ``qingliu`` mounts them (names "flood" and
"drought").
"""

from __future__ import annotations

import json
import math
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from qingliu.cli.flood import drought_app, flood_app

root = typer.Typer()
root.add_typer(flood_app, name="flood")
root.add_typer(drought_app, name="drought")
runner = CliRunner()
EXAMPLE = Path(str(resources.files("qingliu.data").joinpath("jinzhong")))

PEAKS = [120, 80, 150, 95, 60, 200, 110, 70, 130, 90]  # 2001-2010


def run(*args: object):
    return runner.invoke(root, [str(a) for a in args])


@pytest.fixture
def peaks(tmp_path: Path) -> Path:
    path = tmp_path / "peaks.csv"
    path.write_text("year,value\n" + "".join(f"{2001 + i},{v}\n" for i, v in enumerate(PEAKS)), encoding="utf-8")
    return path


def test_freq_json_gives_moments_and_design_values(peaks: Path) -> None:
    result = run("flood", "freq", peaks, "--json", "--return-periods", "10,100")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    params = payload["parameters"]
    # by hand: x̄ = 1105/10 = 110.5; Σ(x - x̄)² = 15822.5, S = sqrt(15822.5/9) = 41.9291; Cv = 0.379450
    assert params["mean"] == pytest.approx(110.5)
    assert params["cv"] == pytest.approx(math.sqrt(15822.5 / 9) / 110.5, rel=1e-9)
    assert [q["return_period"] for q in payload["quantiles"]] == [10, 100]
    first = payload["quantiles"][0]
    assert set(first) == {"return_period", "probability", "value", "lower", "upper"}
    assert first["lower"] < first["value"] < first["upper"]


def test_freq_writes_the_table_and_a_probability_paper(peaks: Path, tmp_path: Path) -> None:
    out, png = tmp_path / "q.csv", tmp_path / "curve.png"
    result = run("flood", "freq", peaks, "--dist", "gev", "--method", "lmoments", "-o", out, "--plot", png)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert list(table.columns) == ["return_period", "probability", "value", "lower", "upper"]
    assert list(table["return_period"]) == [2, 5, 10, 20, 50, 100, 1000]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "location" in result.output


def test_freq_fit_with_historical_floods(peaks: Path, tmp_path: Path) -> None:
    historical = tmp_path / "hist.csv"
    historical.write_text("year,value\n1935,420\n1962,330\n2006,200\n", encoding="utf-8")
    result = run("flood", "freq", peaks, "--method", "fit", "--historical", historical, "--period", 76,
                 "--objective", "lrs", "--cs-cv", "3", "--json")
    assert result.exit_code == 0, result.output
    params = json.loads(result.output)["parameters"]
    assert params["cs"] == pytest.approx(3 * params["cv"])


def test_freq_on_the_bundled_daily_flows_gives_one_row_per_station(tmp_path: Path) -> None:
    result = run("flood", "freq", EXAMPLE / "flows.csv", "--dist", "lp3", "--json", "--return-periods", "100")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    stations = pd.read_csv(EXAMPLE / "stations.csv")["station_id"]
    assert sorted(p["series_id"] for p in payload["parameters"]) == sorted(stations)
    assert {"mean_log10", "sd_log10", "skew_log10"} <= set(payload["parameters"][0])
    assert len(payload["quantiles"]) == len(stations)


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (("--dist", "weibull"), "--dist"),
        (("--method", "mle"), "--method"),
        (("--return-periods", "1,10"), "--return-periods"),
        (("--period", "50"), "--period"),
        (("--cs-cv", "3"), "fit"),
    ],
)
def test_freq_bad_options_exit_2(peaks: Path, args: tuple[str, ...], hint: str) -> None:
    result = run("flood", "freq", peaks, *args)
    assert result.exit_code == 2
    assert hint in result.output


def test_freq_bad_file_exits_2_naming_the_row(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("year,value\n2001,100\n2002,abc\n2003,90\n", encoding="utf-8")
    result = run("flood", "freq", bad)
    assert result.exit_code == 2
    assert "bad.csv" in result.output and "3" in result.output


def test_compare_ranks_the_distributions(peaks: Path) -> None:
    result = run("flood", "compare", peaks, "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert sorted(r["dist"] for r in rows) == ["gev", "gumbel", "lp3", "p3"]


def test_lowflow_on_the_bundled_flows() -> None:
    result = run("flood", "lowflow", EXAMPLE / "flows.csv", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) == 6
    assert all(r["design"] >= 0 and r["n"] > 30 for r in rows)


def test_status_lists_the_worst_first(tmp_path: Path) -> None:
    levels = tmp_path / "levels.csv"
    levels.write_text("series_id,time,value\nH01,2025-07-20 08:00,737.0\nH01,2025-07-20 14:00,737.9\n"
                      "H02,2025-07-20 14:00,953.2\nR01,2025-07-20 14:00,1012.0\n", encoding="utf-8")
    result = run("flood", "status", levels, "--stations", EXAMPLE / "stations.csv",
                 "--reservoirs", EXAMPLE / "reservoirs.csv", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["site_id"] for r in rows[:3]] == ["H02", "H01", "R01"]  # above guarantee 953.0, warning 737.6
    assert rows[0]["status_zh"] == "超保证水位"
    assert run("flood", "status", levels).exit_code == 2


@pytest.fixture
def rain(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    months = pd.period_range("1991-01", "2020-12", freq="M")
    frame = pd.DataFrame({"series_id": "P1", "time": months.strftime("%Y-%m-01"),
                          "value": rng.gamma(1.5, 30, size=len(months)).round(1)})
    path = tmp_path / "rain.csv"
    frame.to_csv(path, index=False)
    return path


def test_drought_spi(rain: Path, tmp_path: Path) -> None:
    out = tmp_path / "spi.csv"
    result = run("drought", "spi", rain, "--scale", 3, "-o", out)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert list(table.columns) == ["series_id", "month", "value", "spi", "grade", "grade_zh", "grade_en"]
    assert table["spi"].iloc[:2].isna().all() and table["spi"].iloc[2:].notna().all()
    assert abs(table["spi"].mean()) < 0.1
    assert set(table["grade_zh"].dropna()) <= {"无旱", "轻旱", "中旱", "重旱", "特旱"}


def test_drought_events(rain: Path) -> None:
    result = run("drought", "events", rain, "--scale", 6, "--min-duration", 2, "--json")
    assert result.exit_code == 0, result.output
    events = json.loads(result.output)
    assert events and all(e["duration"] >= 2 and e["peak"] <= -0.5 for e in events)


@pytest.mark.slow
def test_drought_sri_on_the_bundled_flows() -> None:
    result = run("drought", "sri", EXAMPLE / "flows.csv", "--scale", 12, "--json")
    assert result.exit_code == 0, result.output
    assert {r["series_id"] for r in json.loads(result.output)} == {"H01", "H02", "H03", "H04", "H05", "H06"}


def test_drought_bad_scale_exits_2(rain: Path) -> None:
    result = run("drought", "spi", rain, "--scale", 0)
    assert result.exit_code == 2
    assert "--scale" in result.output
