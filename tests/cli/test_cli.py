"""The command line end to end: init, import (good and bad), info, demo."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from qingliu import store
from qingliu.cli.main import app
from qingliu.services.workspace import open_workspace

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_help_lists_commands_in_english_and_chinese() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("init", "import", "demo", "info"):
        assert command in result.output
    assert "清流" in result.output


def test_every_command_has_help() -> None:
    for command in ("init", "import", "demo", "info"):
        result = run(command, "--help")
        assert result.exit_code == 0, command
        assert "Usage" in result.output


def test_init_twice_is_refused_with_exit_2(tmp_path: Path) -> None:
    assert run("init", tmp_path / "ws").exit_code == 0
    result = run("init", tmp_path / "ws")
    assert result.exit_code == 2
    assert "already a workspace" in result.output


def test_import_into_a_folder_that_is_not_a_workspace(tmp_path: Path) -> None:
    result = run("import", tmp_path, "samples", tmp_path / "x.csv")
    assert result.exit_code == 2
    assert "not a qingliu workspace" in result.output


def test_unknown_example_is_refused(tmp_path: Path) -> None:
    result = run("init", tmp_path / "ws", "--example", "atlantis")
    assert result.exit_code == 2
    assert "atlantis" in result.output


def _write_network_and_sections(folder: Path) -> tuple[Path, Path, Path]:
    network = folder / "network.csv"
    network.write_text(
        "node_id,kind,river,lon,lat,downstream,length_km\n"
        "N1,headwater,汾河,112.0,37.5,N2,10\n"
        "N2,section,汾河,112.1,37.4,N3,5\n"
        "N3,outlet,汾河,112.2,37.3,,\n",
        encoding="utf-8",
    )
    counties = folder / "counties.csv"
    counties.write_text("county_id,name\n140728,平遥县\n", encoding="utf-8")
    sections = folder / "sections.csv"
    sections.write_text(
        "断面编码,断面名称,河流,节点编码,断面级别,水体类型,水质目标,所在区县,出境/入黄断面\n"
        "S1,测试断面,汾河,N2,国控,河流,III,140728,否\n",
        encoding="utf-8",
    )
    return network, counties, sections


def test_import_good_files_then_bad_file_leaves_database_unchanged(tmp_path: Path) -> None:
    ws_dir = tmp_path / "ws"
    assert run("init", ws_dir).exit_code == 0
    network, counties, sections = _write_network_and_sections(tmp_path)
    assert run("import", ws_dir, "network", network).exit_code == 0
    assert run("import", ws_dir, "counties", counties).exit_code == 0
    assert run("import", ws_dir, "sections", sections).exit_code == 0
    good = tmp_path / "samples.csv"
    good.write_text("section_id,time,parameter,value\nS1,2025-01-05,nh3n,0.5\nS1,2025-01-05,tp,0.01L\n", encoding="utf-8")
    assert run("import", ws_dir, "samples", good).exit_code == 0
    assert run("import", ws_dir, "samples", good).exit_code == 0  # again: no duplicates

    engine = open_workspace(ws_dir).engine
    with engine.connect() as conn:
        before = store.snapshot(conn)
    assert len(before["wq_sample"]) == 2

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "section_id,time,parameter,value\nS1,2025-02-05,nh3n,0.4\nS1,2025-02-05,tp,abc\nS9,2025-02-05,tp,0.1\n",
        encoding="utf-8",
    )
    result = run("import", ws_dir, "samples", good, bad)
    assert result.exit_code == 2
    assert "bad.csv" in result.output
    assert "abc" in result.output and "S9" in result.output
    with engine.connect() as conn:
        after = store.snapshot(conn)
    for table, frame in before.items():
        assert after[table].equals(frame), table
    engine.dispose()


def test_a_network_cycle_is_refused(tmp_path: Path) -> None:
    ws_dir = tmp_path / "ws"
    run("init", ws_dir)
    network = tmp_path / "loop.csv"
    network.write_text(
        "node_id,kind,river,lon,lat,downstream,length_km\nA,confluence,x,112,37,B,1\nB,confluence,x,112.1,37,A,1\n",
        encoding="utf-8",
    )
    result = run("import", ws_dir, "network", network)
    assert result.exit_code == 2
    assert "loop.csv" in result.output


def test_info_json_reports_counts(example_ws) -> None:
    result = run("info", example_ws.root, "--json")
    assert result.exit_code == 0
    payload = json.loads(result.output)
    assert payload["example"] == "jinzhong"
    assert payload["counts"]["section"] >= 20
    assert payload["counts"]["flow_daily"] > 6 * 365 * 40


def test_demo_writes_a_labelled_report(tmp_path: Path) -> None:
    result = run("demo", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in html
    assert "示意数据，非官方监测值" in html
    assert "<svg" in html
    assert "illustrative data" in result.output


def test_cnemc_single_station_table_imports_with_section_option(tmp_path: Path) -> None:
    ws_dir = tmp_path / "ws"
    run("init", ws_dir)
    for kind, path in zip(("network", "counties", "sections"), _write_network_and_sections(tmp_path), strict=True):
        assert run("import", ws_dir, kind, path).exit_code == 0
    cnemc = tmp_path / "auto.csv"
    cnemc.write_text(
        "监测时间,水质类别,水温（℃）,pH(无量纲),溶氧量(mg/L),电导率（μS/cm）,浊度（NTU）,高锰酸盐指数（mg/L）,"
        "氨氮（mg/L）,总磷（mg/L）,总氮（mg/L）,站点情况\n"
        "2025-03-01 08:00,Ⅱ,10.2,7.5,8.1,520,12,3.2,0.4,0.05,2.1,正常\n"
        "2025-03-01 12:00,--,--,--,--,--,--,--,--,--,--,维护\n",
        encoding="utf-8",
    )
    assert run("import", ws_dir, "samples", cnemc).exit_code == 2  # which section? refused
    result = run("import", ws_dir, "samples", cnemc, "--section", "S1")
    assert result.exit_code == 0, result.output
    engine = open_workspace(ws_dir).engine
    with engine.connect() as conn:
        samples = store.read(conn, "wq_sample")
    engine.dispose()
    # 9 items measured at 08:00 (水温, pH, DO, conductivity, turbidity, CODMn, NH3-N, TP, TN); the 12:00 row is maintenance
    assert len(samples) == 9 and set(samples["section_id"]) == {"S1"}
    assert samples.set_index("parameter").loc["conductivity", "value"] == 520


def test_a_batch_of_network_files_may_refer_to_each_other(tmp_path: Path) -> None:
    ws_dir = tmp_path / "ws"
    run("init", ws_dir)
    upper, lower = tmp_path / "upper.csv", tmp_path / "lower.csv"
    lower.write_text("node_id,kind,river,lon,lat,downstream,length_km\nN1,outlet,汾河,112.2,37.3,,\n", encoding="utf-8")
    upper.write_text("node_id,kind,river,lon,lat,downstream,length_km\nN0,headwater,汾河,112.0,37.5,N1,10\n", encoding="utf-8")
    result = run("import", ws_dir, "network", lower, upper)
    assert result.exit_code == 0, result.output


def test_a_section_name_two_sections_share_is_not_guessed(tmp_path: Path) -> None:
    ws_dir = tmp_path / "ws"
    run("init", ws_dir)
    network, counties, _ = _write_network_and_sections(tmp_path)
    sections = tmp_path / "two.csv"
    sections.write_text(
        "section_id,name,river,node_id,level,water_body,target_class,county_id,is_boundary\n"
        "S1,桥头,汾河,N2,national,river,3,140728,false\nS2,桥头,汾河,N3,national,river,3,140728,false\n",
        encoding="utf-8",
    )
    for kind, path in (("network", network), ("counties", counties), ("sections", sections)):
        assert run("import", ws_dir, kind, path).exit_code == 0
    wide = tmp_path / "named.csv"
    wide.write_text("断面名称,监测时间,氨氮\n桥头,2025-01-05,0.5\n", encoding="utf-8")
    result = run("import", ws_dir, "samples", wide)
    assert result.exit_code == 2 and "桥头" in result.output
