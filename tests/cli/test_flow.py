"""``qingliu flow ...`` end to end on the bundled example and on a USGS RDB file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from qingliu.cli.flow import app

runner = CliRunner()
EXAMPLE = Path(__file__).parents[2] / "src" / "qingliu" / "data" / "jinzhong" / "flows.csv"
RDB = Path(__file__).parents[1] / "reference" / "usgs_roanoke_02080500" / "02080500_wy1913_1914.rdb"
CFS = 0.028316846592  # m3/s per ft3/s (exact: 0.3048³)


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def test_help_names_every_command() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("iha", "ecoflow", "compliance", "baseflow", "health"):
        assert command in result.output


def test_missing_days_of_the_example_are_an_error_naming_station_and_day() -> None:
    result = run("iha", EXAMPLE)
    assert result.exit_code == 2
    assert "H05" in result.output and "1985-07-12" in result.output
    assert "缺测" in result.output and "--fill-gaps" in result.output


def test_iha_on_the_example_with_rva(tmp_path: Path) -> None:
    out = tmp_path / "iha.csv"
    result = run("iha", EXAMPLE, "--fill-gaps", 10, "--pre", "1981-2000", "--post", "2001-2025", "-o", out, "--efc-out", tmp_path / "efc.csv")
    assert result.exit_code == 0, result.output
    annual = pd.read_csv(out)
    assert len(annual) == 6 * 45  # water years 1981-2025 (October to September) at six stations
    assert list(annual.columns[:3]) == ["station_id", "water_year", "oct"]
    rva = pd.read_csv(tmp_path / "iha_rva.csv")
    assert len(rva) == 6 * 33 and {"ha_middle", "alteration"} <= set(rva.columns)
    assert len(pd.read_csv(tmp_path / "efc.csv")) == 6 * 45


def test_iha71_names_on_an_rdb_file_keep_cubic_feet(tmp_path: Path) -> None:
    out = tmp_path / "iha71.csv"
    result = run("iha", RDB, "--names", "iha71", "-o", out)
    assert result.exit_code == 0, result.output
    assert "cfs" in result.output
    table = pd.read_csv(out, dtype={"station_id": str})
    assert list(table.columns[:4]) == ["station_id", "Year", "October", "November"]
    assert table.columns[-1] == "Reversals" and len(table.columns) == 35
    assert table["station_id"].tolist() == ["02080500", "02080500"]
    assert table.loc[0, "October"] == 2620 and table.loc[1, "1-day min"] == 1230  # IHA 7.1's values


def test_rdb_flows_are_converted_to_cubic_metres(tmp_path: Path) -> None:
    out = tmp_path / "iha.csv"
    assert run("iha", RDB, "-o", out).exit_code == 0
    table = pd.read_csv(out)
    assert table.loc[0, "oct"] == pytest.approx(2620 * CFS)


def test_bad_options_exit_with_2() -> None:
    for args in (
        ("iha", EXAMPLE, "--water-year-start", 13),
        ("iha", EXAMPLE, "--names", "tnc"),
        ("iha", EXAMPLE, "--fill-gaps", 10, "--pre", "2000"),
        ("iha", EXAMPLE, "--fill-gaps", 10, "--pre", "1981-2000"),
        ("ecoflow", EXAMPLE, "--method", "magic"),
        ("ecoflow", EXAMPLE, "--fill-gaps", 10, "--rating", "splendid"),
        ("ecoflow", EXAMPLE, "--fill-gaps", 10, "--exclude-months", "13"),
        ("baseflow", EXAMPLE, "--method", "smoothing"),
        ("iha", Path("no-such-file.csv")),
    ):
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)


@pytest.mark.slow
def test_ecoflow_then_compliance_on_the_example(tmp_path: Path) -> None:
    targets = tmp_path / "targets.csv"
    result = run("ecoflow", EXAMPLE, "--fill-gaps", 10, "--method", "tennant,qp,7q10,q90,monthly", "--exclude-months", "12,1,2", "-o", targets)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(targets)
    assert len(table) == 6 * 5 and (table["target_m3s"] >= 0).all()
    assert table["m01"].isna().all()
    # several methods per station: compliance needs one
    assert run("compliance", EXAMPLE, "--targets", targets).exit_code == 2
    out = tmp_path / "compliance.csv"
    result = run("compliance", EXAMPLE, "--targets", targets, "--method", "tennant", "-o", out)
    assert result.exit_code == 0, result.output
    yearly = pd.read_csv(out)
    assert yearly["daily_rate"].between(0, 1).all()
    assert set(yearly["station_id"]) == {f"H0{i}" for i in range(1, 7)}
    monthly = pd.read_csv(tmp_path / "compliance_monthly.csv")
    assert not monthly["month"].isin([12, 1, 2]).any()
    status = pd.read_csv(tmp_path / "compliance_status.csv")
    assert set(status["status"]) <= {"met", "warning", "failed"} and len(status) == 6


@pytest.mark.slow
def test_compliance_with_a_single_target_column(tmp_path: Path) -> None:
    targets = tmp_path / "targets.csv"
    targets.write_text("station_id,target_m3s\nH01,1.5\nH02,0.2\nH03,0.1\nH04,0.1\nH05,0.1\nH06,0.1\n", encoding="utf-8")
    result = run("compliance", EXAMPLE, "--targets", targets, "--json")
    assert result.exit_code == 0, result.output
    targets.write_text("station_id,target_m3s\nH01,-1\n", encoding="utf-8")
    result = run("compliance", EXAMPLE, "--targets", targets)
    assert result.exit_code == 2 and "H02" in result.output  # stations without a target are named


def test_baseflow_on_the_example(tmp_path: Path) -> None:
    out = tmp_path / "bfi.csv"
    result = run("baseflow", EXAMPLE, "--fill-gaps", 10, "--method", "eckhardt", "-o", out, "--series", tmp_path / "b.csv")
    assert result.exit_code == 0, result.output
    bfi = pd.read_csv(out)
    assert bfi["bfi"].between(0, 1).all()
    series = pd.read_csv(tmp_path / "b.csv")
    assert (series["baseflow"] <= series["q"] + 1e-9).all()


def test_health_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "health.csv"
    path.write_text(
        "river,indicator,value,score\n汾河,shoreline_natural,,70\n汾河,ecoflow,,60\n汾河,water_quality,4,\n"
        "汾河,fish,80,\n汾河,public_satisfaction,,85\n汾河,self_purification,6,\n",
        encoding="utf-8",
    )
    out = tmp_path / "rhi.csv"
    result = run("health", path, "-o", out)
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out)["rhi"].iloc[0] == pytest.approx(73.5)
    assert run("health", path, "--system", "who").exit_code == 2


RDB_HEAD = "# comment\n#\nagency_cd\tsite_no\tdatetime\t{col}\t{col}_cd\n5s\t15s\t20d\t14n\t10s\n"


def test_rdb_reader_special_values_and_several_sites(tmp_path: Path) -> None:
    from qingliu.io import read_rdb

    path = tmp_path / "two.rdb"
    path.write_text(
        RDB_HEAD.format(col="68478_00060_00003")
        + "USGS\t01\t2020-01-01\t10\tA\nUSGS\t01\t2020-01-02\tIce\tP\nUSGS\t01\t2020-01-03\t\t\n"
        + RDB_HEAD.format(col="12345_00060_00003")
        + "USGS\t02\t2020-01-01\t100\tA:e\n",
        encoding="utf-8",
    )
    frame, unit = read_rdb(path)
    assert unit == "m3/s" and frame["station_id"].tolist() == ["01", "01", "01", "02"]
    assert frame["q"].iloc[0] == pytest.approx(10 * CFS) and frame["q"].iloc[1:3].isna().all()
    assert read_rdb(path, keep_units=True)[0]["q"].iloc[3] == 100


def test_rdb_reader_problems_name_row_and_reason(tmp_path: Path) -> None:
    from qingliu.io import InputError, read_rdb

    no_flow = tmp_path / "gage.rdb"
    no_flow.write_text(RDB_HEAD.format(col="68479_00065_00003") + "USGS\t01\t2020-01-01\t3.2\tA\n", encoding="utf-8")
    with pytest.raises(InputError, match="00060"):
        read_rdb(no_flow)
    bad_date = tmp_path / "date.rdb"
    bad_date.write_text(RDB_HEAD.format(col="1_00060_00003") + "USGS\t01\t2020-13-01\t3\tA\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_rdb(bad_date)
    assert info.value.problems[0].row == 5 and "2020-13-01" in info.value.problems[0].en
