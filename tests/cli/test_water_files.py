"""``qingliu water ...`` on the bundled example folder: tables out, bad options and files exit 2
with bilingual messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qingliu.cli.water_files import app

EXAMPLE = Path(__file__).parents[2] / "src" / "qingliu" / "data" / "jinzhong"
FIXTURES = Path(__file__).parents[1] / "simulate" / "fixtures"
runner = CliRunner()


@pytest.mark.slow
def test_account_json_by_county() -> None:
    """榆社 (140721) 2025 in water_use.csv: 791.6 + 465.7 + 428.4 + 186.3 = 1872.0, exactly its
    quota in counties.csv: within the quota."""
    result = runner.invoke(app, ["account", str(EXAMPLE), "--year", "2025", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["county_id"]: r for r in json.loads(result.stdout)}
    assert rows["140721"]["total_use"] == pytest.approx(1872.0)
    assert rows["140721"]["water_quota"] == 1872.0
    assert rows["140721"]["within_quota"] is True
    assert rows["*"]["name"] == "全市"


def test_account_and_red_lines_to_files(tmp_path: Path) -> None:
    out = tmp_path / "account.csv"
    result = runner.invoke(app, ["account", str(EXAMPLE), "--year", "2025", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file() and (tmp_path / "account_red_lines.csv").is_file()


def test_capacity_statuses_are_words_of_the_outline() -> None:
    result = runner.invoke(app, ["capacity", str(EXAMPLE), "--year", "2025", "--json"])
    assert result.exit_code == 0, result.output
    words = {"不超载", "临界状态", "超载", "严重超载", "未评价"}
    assert {r["overall_zh"] for r in json.loads(result.stdout)} <= words


@pytest.mark.slow
def test_allocate_scenarios_side_by_side() -> None:
    args = [
        "allocate",
        str(EXAMPLE),
        "--scenarios",
        str(FIXTURES / "jinzhong_scenarios.toml"),
        "--by",
        "scenario",
        "--from",
        "2015",
        "--to",
        "2025",
        "--json",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = {r["quantity"]: r for r in json.loads(result.stdout)}
    assert set(rows["supply"]) == {"quantity", "base", "dry", "growth", "saving", "transfer"}


@pytest.mark.slow
def test_allocate_one_scenario_by_county() -> None:
    args = [
        "allocate",
        str(EXAMPLE),
        "--scenarios",
        str(FIXTURES / "jinzhong_scenarios.toml"),
        "--scenario",
        "saving",
        "--by",
        "county",
        "--from",
        "2024",
        "--to",
        "2025",
        "--json",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {r["scenario"] for r in rows} == {"saving"} and len(rows) == 11


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--step", "week"], ["one of: month | day", "可选"]),
        (["--by", "river"], ["one of: demand | county | scenario", "可选"]),
        (["--scenario", "dry"], ["--scenario needs --scenarios FILE", "需要"]),
        (["--from", "2020", "--to", "2010"], ["first year after last year", "起始年晚于截止年"]),
        (["--scenarios", str(FIXTURES / "bad_unknown_node.toml")], ["unknown node 'FEN99'", "未知节点"]),
        (
            ["--scenarios", str(FIXTURES / "jinzhong_scenarios.toml"), "--scenario", "nope"],
            ["no scenario 'nope'", "没有情景"],
        ),
    ],
)
def test_allocate_bad_options_exit_2(args: list[str], words: list[str]) -> None:
    result = runner.invoke(app, ["allocate", str(EXAMPLE), *args])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert all(w in text for w in words), text


def test_missing_file_in_the_folder_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["account", str(tmp_path), "--year", "2025"])
    assert result.exit_code == 2
    assert "counties.csv" in result.output and "missing from the data folder" in " ".join(result.output.split())
