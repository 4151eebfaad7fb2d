"""Scenarios as data on the bundled Jinzhong network, and allocation of the whole example:
the file's changes land where they should, bad files give clear errors naming their keys,
and mass balance closes over the whole system at every step."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qingliu import io
from qingliu.model import ORIGINS
from qingliu.services import water_resources_tools as tools
from qingliu.simulate.allocation import allocate
from qingliu.simulate.scenarios import apply_scenario

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLE = Path(__file__).parents[2] / "src" / "qingliu" / "data" / "jinzhong"


@pytest.fixture(scope="module")
def jinzhong() -> tuple[object, pd.DataFrame]:
    """The Jinzhong allocation model built from the bundled files, and its local inflows."""
    node = io.read_input("network", EXAMPLE / "network.csv")["node"]
    counties = io.read_input("counties", EXAMPLE / "counties.csv")
    water_use = io.read_table(
        EXAMPLE / "water_use.csv", "water_use", required=("county_id", "year", "sector", "origin", "volume")
    )
    station = io.read_table(EXAMPLE / "stations.csv", "station", required=("station_id", "node_id"))
    flow = io.read_table(EXAMPLE / "flows.csv", "flow_daily", required=("station_id", "date", "q"))
    section = io.read_table(EXAMPLE / "sections.csv", "section", required=("section_id", "node_id"))
    reservoir = io.read_table(EXAMPLE / "reservoirs.csv", "reservoir", required=("reservoir_id", "node_id"))
    source = io.read_table(EXAMPLE / "sources.csv", "source", required=("source_id",))
    inflow = tools.station_inflows(node, station, flow)
    model = tools.allocation_model(
        node,
        counties["county"],
        counties["county_year"],
        water_use,
        inflow=inflow,
        section=section,
        reservoir=reservoir,
        source=source,
    )
    return model, inflow


def _system_balance(result, model, inflow: pd.DataFrame) -> np.ndarray:
    """Water in minus water out of the whole area per step (1e4 m3), counted independently of
    the LP: local inflows + sources taken = outflow at the outlets + water consumed + water
    lost on the way + returns leaving the area + storage gained."""
    net = model.network
    days = result.days
    to_volume = days * 8.64  # m3/s over the step -> 1e4 m3
    step_of_day = np.repeat(np.arange(len(days)), days.astype(int))
    local = inflow.loc[result.times[0] : result.times[0] + pd.Timedelta(days=int(days.sum()) - 1)]
    inflow_volume = np.zeros(len(days))
    np.add.at(inflow_volume, step_of_day, local.to_numpy().sum(axis=1) * 8.64)
    taken = result.source_take.sum(axis=0)
    outlets = [net.index(o) for o in net.outlets]
    out = result.river_flow[outlets].sum(axis=0) * to_volume
    ret = model.demand_return()
    leaves = np.array([d.return_node is None for d in model.demands])
    consumed = ((1 - ret) * result.supply.T).T.sum(axis=0) + (ret[leaves] * result.supply[leaves].T).T.sum(axis=0)
    lost = (result.withdrawal_by_origin - result.supply_by_origin).sum(axis=(0, 1))
    initial = np.array([r.initial if r.initial is not None else r.capacity for r in model.reservoirs])
    before = np.column_stack((initial, result.storage[:, :-1]))
    gained = (result.storage - before).sum(axis=0)
    return inflow_volume + taken - out - consumed - lost - gained


@pytest.mark.parametrize(
    ("step", "start", "end"), [("month", "1997-01-01", "2002-12-31"), ("day", "2021-01-01", "2021-12-31")]
)
def test_jinzhong_mass_balance_every_node_and_step(jinzhong, step: str, start: str, end: str) -> None:
    model, inflow = jinzhong
    r = allocate(model, inflow, step=step, start=start, end=end)
    scale = max(1.0, float(np.abs(r.demand).max()))
    assert np.abs(r.lp_balance).max() < 1e-6 * scale
    active = [model.network.index(x) for x in r.lp_nodes]
    np.testing.assert_allclose(r.river_flow[active], r.lp_river_flow, atol=1e-7)
    assert r.river_flow.min() > -1e-7
    assert np.abs(_system_balance(r, model, inflow)).max() < 1e-6 * scale
    assert np.all(r.supply <= r.demand * (1 + 1e-9) + 1e-9)
    dead = np.array([x.dead for x in model.reservoirs])
    cap = np.array([x.capacity for x in model.reservoirs])
    assert np.all(r.storage >= dead[:, None] - 1e-7) and np.all(r.storage <= cap[:, None] + 1e-7)


def test_jinzhong_groundwater_stays_within_its_yearly_cap(jinzhong) -> None:
    model, inflow = jinzhong
    r = allocate(model, inflow, step="month", start="2000-01-01", end="2003-12-31")
    ground = [k for k, s in enumerate(model.sources) if s.origin == "ground"]
    caps = np.array([model.sources[k].annual for k in ground])
    yearly = pd.DataFrame(r.source_take[ground].T, index=r.times).groupby(r.times.year).sum().to_numpy()
    assert np.all(yearly <= caps[None, :] * (1 + 1e-9))


def test_default_model_follows_the_water_use_table(jinzhong) -> None:
    """A demand fully met takes exactly the recorded use: the demand is the recorded use of
    2025 less the sector's conveyance loss (榆次 industry 2025: 3656.0 in water_use.csv)."""
    model, _ = jinzhong
    d = {x.demand_id: x for x in model.demands}["140702:industry"]
    assert d.annual == pytest.approx(3656.0 * (1 - model.rules.conveyance_loss["industry"]))
    assert set(d.origins) == set(ORIGINS)  # 榆次 industry used all four origins in 2025


def test_scenario_file_changes_the_model_as_written(jinzhong) -> None:
    model, inflow = jinzhong
    scenarios = tools.read_scenarios(FIXTURES / "jinzhong_scenarios.toml", model)
    assert list(scenarios) == ["dry", "growth", "saving", "transfer"]
    _, dry_inflow = apply_scenario(model, inflow, scenarios["dry"])
    assert dry_inflow.index.year.min() == 1997 and dry_inflow.index.year.max() == 2002
    np.testing.assert_allclose(dry_inflow.to_numpy(), 0.8 * inflow.loc["1997":"2002"].to_numpy())
    base = {d.demand_id: d for d in model.demands}
    grown = {d.demand_id: d for d in apply_scenario(model, None, scenarios["growth"])[0].demands}
    assert grown["140702:industry"].annual == pytest.approx(base["140702:industry"].annual * 1.3 * 1.05)
    assert grown["140703:domestic"].annual == pytest.approx(base["140703:domestic"].annual * 1.1)
    assert grown["140703:agriculture"].annual == pytest.approx(base["140703:agriculture"].annual)
    saving = apply_scenario(model, None, scenarios["saving"])[0]
    saved = {d.demand_id: d for d in saving.demands}
    assert saved["140728:agriculture"].annual == pytest.approx(base["140728:agriculture"].annual * 0.85)
    assert saved["140728:agriculture"].loss == 0.2
    ground = {s.source_id: s.annual for s in saving.sources}
    assert ground["140728:ground"] == pytest.approx(
        0.8 * {s.source_id: s.annual for s in model.sources}["140728:ground"]
    )
    transfer = apply_scenario(model, None, scenarios["transfer"])[0]
    assert "YH_NEW" in {s.source_id for s in transfer.sources}
    assert {r.reservoir_id: r.capacity for r in transfer.reservoirs}["R01"] == 6000.0
    assert "FEN15" in {e.node_id for e in transfer.ecoflows}


def test_scenarios_compared_side_by_side(jinzhong) -> None:
    """A new transfer relaxes the LP: its objective can only improve, and the two counties it
    serves get water from it. Less inflow cannot raise the supply of surface water."""
    model, inflow = jinzhong
    scenarios = tools.read_scenarios(FIXTURES / "jinzhong_scenarios.toml", model)
    transfer_only = {"transfer": scenarios["transfer"]}
    runs = tools.run_scenarios(
        model, inflow, {"dry": scenarios["dry"], **transfer_only}, start="1997-01-01", end="2002-12-31"
    )
    table = runs.comparison().set_index("quantity")
    assert list(table.columns) == ["base", "dry", "transfer"]
    assert table.loc["supply_surface", "dry"] <= table.loc["supply_surface", "base"] + 1e-6
    demands = runs.demands()
    new = demands[(demands["scenario"] == "transfer") & demands["county_id"].isin(["140728", "140781"])]
    old = demands[(demands["scenario"] == "base") & demands["county_id"].isin(["140728", "140781"])]
    assert new["supply_transfer"].sum() > old["supply_transfer"].sum()
    relaxed = apply_scenario(
        model, None, scenarios["transfer"].__class__(name="t", transfers=scenarios["transfer"].transfers)
    )[0]
    window = inflow.loc["1997":"2002"]
    assert allocate(relaxed, window).objective <= allocate(model, window).objective + 1e-6


@pytest.mark.parametrize(
    ("name", "keys", "words"),
    [
        (
            "bad_unknown_node.toml",
            ["scenario.wrong_nodes.node_inflow_factor.NO_SUCH_NODE", "scenario.wrong_nodes.ecoflow[0].node"],
            ["unknown node", "未知节点"],
        ),
        (
            "bad_negative_capacity.toml",
            [
                "scenario.negative.water_saving.agriculture",
                "scenario.negative.transfer[0].capacity_m3s",
                "scenario.negative.reservoir[0].capacity_1e4m3",
            ],
            ["must be >= 0", "不能为负"],
        ),
        ("bad_cycle.toml", ["scenario.loop"], ["diversion C_LOOP (FEN21 -> FEN01) closes a cycle", "环路"]),
        (
            "bad_keys.toml",
            [
                "scenario.typos.inflow_factr",
                "scenario.typos.demand_factor.mining",
                "scenario.typos.county_demand_factor.999999",
                "scenario.typos.period",
            ],
            ["unknown key", "未知"],
        ),
    ],
)
def test_bad_scenario_files_give_clear_errors(jinzhong, name: str, keys: list[str], words: list[str]) -> None:
    model, _ = jinzhong
    with pytest.raises(io.InputError) as caught:
        tools.read_scenarios(FIXTURES / name, model)
    problems = caught.value.problems
    assert all(p.file == name for p in problems)
    columns = [p.column for p in problems]
    for key in keys:
        assert any(c.startswith(key) for c in columns), (key, columns)
    text = str(caught.value)
    assert all(w in text for w in words)


def test_not_toml_is_a_clear_error(tmp_path, jinzhong) -> None:
    model, _ = jinzhong
    bad = tmp_path / "x.toml"
    bad.write_text("[scenario.a\nzh = 1", encoding="utf-8")
    with pytest.raises(io.InputError, match="cannot read the scenario file"):
        tools.read_scenarios(bad, model)
