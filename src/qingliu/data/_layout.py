"""Static layout of the Jinzhong example: rivers, monitoring sites, outfalls, and the node network.

The layout is hand-written and does not depend on the seed. Rivers are polylines from source
to mouth; every site (section, station, reservoir, outfall, intake) names its river and an
approximate position, which is snapped onto that river's polyline. The network is then the
chain of nodes along each river, ordered by distance from the source, each draining to the next
and the last one to the confluence on the receiving river (or to an outlet).

Geography (illustrative, schematic): the Fen (汾河) course is Natural Earth 1:10m (public
domain), the Jinzhong reach subsampled to every second vertex, from the Taiyuan boundary
(清徐) to the Linfen boundary south of 灵石; the first three vertices of 浊漳河北源 below 榆社
are Natural Earth's Zhang (漳河) line. Other rivers are traced through the approximate county
seats of ``/work/shared/geodata/README.md`` and a few hand-placed points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG), for great-circle distances."""

SINUOSITY_MAIN = 1.25
"""River length / great-circle length between nodes on the Fen, whose nodes lie on a 1:10m
centreline that already follows the large bends; the factor adds the meanders lost in it."""

SINUOSITY_TRIBUTARY = 1.4
"""The same for tributaries, traced schematically through a few points only."""


@dataclass(frozen=True)
class River:
    """A river as a polyline from source to mouth (lon, lat), draining into ``receiving``."""

    code: str
    name: str
    points: tuple[tuple[float, float], ...]
    receiving: str | None = None
    outlet_name: str = ""
    sinuosity: float = SINUOSITY_TRIBUTARY


FEN_COURSE = (
    (112.4084, 37.6462), (112.3956, 37.6253), (112.3735, 37.6074), (112.3704, 37.5628),
    (112.3347, 37.5189), (112.3059, 37.4606), (112.2402, 37.4022), (112.2202, 37.3673),
    (112.213, 37.3509), (112.1959, 37.3353), (112.1311, 37.2751), (112.0625, 37.1724),
    (112.0007, 37.1473), (111.919, 37.1147), (111.8572, 37.0498), (111.8425, 37.0188),
    (111.8079, 36.9913), (111.7907, 36.972), (111.7813, 36.9458), (111.7585, 36.9344),
    (111.7402, 36.9097), (111.7551, 36.8723), (111.74, 36.8382), (111.6858, 36.8123),
    (111.6669, 36.7801), (111.6582, 36.7558), (111.6718, 36.6148),
)  # fmt: skip

# Order matters: a receiving river comes before its tributaries.
RIVERS = (
    River("FEN", "汾河", FEN_COURSE, outlet_name="汾河出境(灵石→临汾，入黄河)", sinuosity=SINUOSITY_MAIN),
    River("XIAO", "潇河", ((113.55, 37.82), (113.36, 37.88), (113.18, 37.89), (112.98, 37.80),
                          (112.82, 37.72), (112.71, 37.68), (112.55, 37.65), (112.40, 37.63)), "FEN"),
    River("TU", "涂河", ((113.05, 37.58), (112.93, 37.66), (112.82, 37.72)), "XIAO"),
    River("TAIYU", "太榆退水渠", ((112.66, 37.79), (112.60, 37.72), (112.53, 37.65)), "XIAO"),
    River("CHANGYUAN", "昌源河", ((112.52, 36.98), (112.45, 37.08), (112.42, 37.17), (112.37, 37.28),
                                (112.33, 37.36), (112.28, 37.40), (112.24, 37.40)), "FEN"),
    River("WUMA", "乌马河", ((112.70, 37.27), (112.62, 37.36), (112.54, 37.42), (112.42, 37.43),
                           (112.28, 37.40)), "CHANGYUAN"),
    River("XIANGYU", "象峪河", ((112.80, 37.40), (112.66, 37.45), (112.56, 37.43)), "WUMA"),
    River("HUIJI", "惠济河", ((112.32, 37.08), (112.25, 37.14), (112.17, 37.19), (112.14, 37.26)), "FEN"),
    River("LONGFENG", "龙凤河", ((112.00, 36.90), (111.95, 36.98), (111.92, 37.03), (111.88, 37.07)), "FEN"),
    River("QINGZHANG", "清漳河", ((113.55, 36.97), (113.60, 36.83), (113.68, 36.70)),
          outlet_name="清漳河出境(左权→河北)"),
    River("QINGZHANG_E", "清漳河东源", ((113.66, 37.55), (113.72, 37.40), (113.73, 37.25), (113.65, 37.08),
                                      (113.55, 36.97)), "QINGZHANG"),
    River("QINGZHANG_W", "清漳河西源", ((113.50, 37.52), (113.57, 37.33), (113.48, 37.18), (113.38, 37.08),
                                      (113.55, 36.97)), "QINGZHANG"),
    River("ZHUOZHANG_N", "浊漳河北源", ((112.86, 37.36), (112.93, 37.24), (112.96, 37.15), (112.9484, 37.069),
                                      (112.938, 36.9874), (112.915, 36.9085)), outlet_name="浊漳河北源出境(榆社→长治)"),
    River("SONGXI", "松溪河", ((113.52, 37.55), (113.62, 37.60), (113.71, 37.61), (113.85, 37.58), (113.96, 37.60)),
          outlet_name="松溪河出境(昔阳→河北)"),
)  # fmt: skip
RIVER_BY_CODE = {r.code: r for r in RIVERS}


@dataclass(frozen=True)
class SectionSite:
    """A monitoring section and the design of its water-quality series (see ``_quality``).

    x2025 : class position of the worst main item in the 2025 annual mean (class = ceil(x);
        2.5 is the middle of class III, see ``_quality.value_at``).
    failing : item whose 2025 mean is set half a class beyond the target ("" when none).
    dx2015 : how many classes worse the main items were in 2015-2016, before the improvement.
    point : share of point sources in the section's load (drives dry-season concentration).
    industry : industrial influence 0-1 (metals, phenol, sulfide, petroleum).
    """

    section_id: str
    name: str
    river: str
    lon: float
    lat: float
    level: str
    water_body: str
    target_class: int
    county_id: str
    is_boundary: bool
    x2025: float
    failing: str
    dx2015: float
    point: float
    industry: float


SECTIONS = tuple(SectionSite(*row) for row in (
    ("S01", "三坝", "FEN", 112.335, 37.515, "provincial", "river", 4, "140727", False, 2.8, "", 2.6, 0.6, 0.5),
    ("S02", "张兰", "FEN", 112.030, 37.158, "provincial", "river", 4, "140781", False, 3.4, "", 2.2, 0.6, 0.6),
    ("S03", "桑平峪", "FEN", 111.955, 37.130, "provincial", "river", 4, "140781", False, 2.7, "", 2.3, 0.6, 0.7),
    ("S04", "义棠", "FEN", 111.845, 37.022, "national", "river", 4, "140781", False, 2.8, "", 2.2, 0.6, 0.8),
    ("S05", "两渡", "FEN", 111.790, 36.962, "national", "river", 4, "140729", False, 2.7, "", 2.0, 0.5, 0.8),
    ("S06", "南关", "FEN", 111.662, 36.745, "national", "river", 4, "140729", True, 2.6, "", 1.9, 0.5, 0.7),
    ("S07", "芦家庄", "XIAO", 112.980, 37.800, "provincial", "river", 2, "140725", False, 1.7, "", 0.5, 0.2, 0.3),
    ("S08", "潇河大坝", "XIAO", 112.752, 37.687, "national", "river", 3, "140702", False, 2.5, "", 1.2, 0.4, 0.3),
    ("S09", "潇河入汾口", "XIAO", 112.450, 37.636, "provincial", "river", 4, "140702", False, 3.3, "", 2.4, 0.8, 0.4),
    ("S10", "涂河入潇口", "TU", 112.835, 37.716, "municipal", "river", 3, "140702", False, 2.4, "", 1.0, 0.3, 0.2),
    ("S11", "太榆退水渠入潇口", "TAIYU", 112.545, 37.655, "provincial", "river", 5, "140702", False, 4.6, "nh3n",
     2.5, 0.95, 0.6),
    ("S12", "乌马河入昌源河口", "WUMA", 112.300, 37.405, "provincial", "river", 4, "140727", False, 3.4, "tp",
     2.2, 0.7, 0.3),
    ("S13", "象峪河入乌马河口", "XIANGYU", 112.575, 37.436, "municipal", "river", 3, "140703", False, 2.6, "",
     1.2, 0.4, 0.2),
    ("S14", "盘陀", "CHANGYUAN", 112.450, 37.085, "provincial", "river", 2, "140727", False, 1.6, "", 0.4, 0.1, 0.1),
    ("S15", "子洪水库", "CHANGYUAN", 112.425, 37.165, "provincial", "reservoir", 3, "140727", False, 2.4, "",
     0.8, 0.2, 0.1),
    ("S16", "昌源河入汾口", "CHANGYUAN", 112.255, 37.401, "provincial", "river", 4, "140727", False, 3.2, "",
     2.0, 0.7, 0.4),
    ("S17", "东泉", "HUIJI", 112.150, 37.230, "provincial", "river", 4, "140728", False, 3.5, "cod", 2.3, 0.8, 0.5),
    ("S18", "龙凤河入汾口", "LONGFENG", 111.890, 37.065, "municipal", "river", 4, "140781", False, 3.5, "",
     2.5, 0.8, 0.8),
    ("S19", "蔡家庄", "QINGZHANG_E", 113.725, 37.300, "provincial", "river", 2, "140723", False, 1.5, "",
     0.3, 0.1, 0.1),
    ("S20", "清漳河西源左权", "QINGZHANG_W", 113.450, 37.020, "municipal", "river", 3, "140722", False, 2.3, "",
     0.8, 0.4, 0.3),
    ("S21", "下交漳", "QINGZHANG", 113.560, 36.940, "provincial", "river", 2, "140722", False, 1.8, "", 0.5, 0.2, 0.2),
    ("S22", "麻田", "QINGZHANG", 113.600, 36.830, "national", "river", 2, "140722", True, 1.7, "", 0.4, 0.2, 0.2),
    ("S23", "社城", "ZHUOZHANG_N", 112.930, 37.235, "provincial", "river", 3, "140721", False, 2.2, "", 0.6, 0.2, 0.1),
    ("S24", "云竹水库", "ZHUOZHANG_N", 112.955, 37.160, "provincial", "reservoir", 3, "140721", False, 2.4, "",
     0.7, 0.2, 0.1),
    ("S25", "浊漳河北源出境", "ZHUOZHANG_N", 112.920, 36.930, "national", "river", 3, "140721", True, 2.5, "",
     1.0, 0.4, 0.4),
    ("S26", "泉口", "SONGXI", 113.860, 37.585, "national", "river", 3, "140724", True, 2.4, "", 1.2, 0.4, 0.5),
))  # fmt: skip


@dataclass(frozen=True)
class StationSite:
    """A hydrological station.

    ``mean_flow`` is the design mean of its 1980-2025 daily series (m3/s); ``regulated_flow``
    the steady part of it from upstream effluents, the inflow from Taiyuan and reservoir
    releases (m3/s, added to the natural flow, see ``_hydrology``). Where wastewater plants
    discharge above a station it exceeds their summed design flow (:data:`OUTFALLS`), so that
    even the driest month carries at least the effluent.
    """

    station_id: str
    name: str
    river: str
    lon: float
    lat: float
    area_km2: float
    mean_flow: float
    warning_level_m: float
    guarantee_level_m: float
    regulated_flow: float


STATIONS = tuple(StationSite(*row) for row in (
    ("H01", "义棠", "FEN", 111.850, 37.030, 23900.0, 16.0, 737.6, 739.2, 5.0),
    ("H02", "芦家庄", "XIAO", 112.990, 37.806, 1140.0, 2.2, 951.8, 953.0, 0.25),
    ("H03", "盘陀", "CHANGYUAN", 112.455, 37.075, 530.0, 0.9, 1063.5, 1064.8, 0.0),
    ("H04", "蔡家庄", "QINGZHANG_E", 113.727, 37.310, 460.0, 1.1, 1118.2, 1119.5, 0.0),
    ("H05", "社城", "ZHUOZHANG_N", 112.925, 37.245, 690.0, 1.0, 1082.6, 1083.9, 0.0),
    ("H06", "泉口", "SONGXI", 113.865, 37.583, 870.0, 1.5, 752.4, 753.8, 0.22),
))  # fmt: skip


@dataclass(frozen=True)
class RainGauge:
    """A rain gauge (雨量站) at a county seat; ``scale`` multiplies the regional rain depths
    (mean annual precipitation relative to the regional sketch, about 500 mm)."""

    gauge_id: str
    name: str
    county_id: str
    lon: float
    lat: float
    scale: float


RAIN_GAUGES = (
    RainGauge("RG01", "榆次", "140702", 112.73, 37.69, 0.87),
    RainGauge("RG02", "寿阳", "140725", 113.18, 37.89, 0.97),
    RainGauge("RG03", "左权", "140722", 113.38, 37.08, 1.06),
    RainGauge("RG04", "介休", "140781", 111.92, 37.03, 0.91),
)
"""Mean annual precipitation about 430-530 mm, wetter in the eastern mountains (illustrative)."""


@dataclass(frozen=True)
class ReservoirSite:
    reservoir_id: str
    name: str
    river: str
    lon: float
    lat: float
    capacity_1e4m3: float
    dead_1e4m3: float
    flood_limit_level_m: float
    normal_level_m: float


RESERVOIRS = (
    ReservoirSite("R01", "子洪水库", "CHANGYUAN", 112.418, 37.178, 4680.0, 310.0, 1013.5, 1016.0),
    ReservoirSite("R02", "云竹水库", "ZHUOZHANG_N", 112.957, 37.148, 8240.0, 520.0, 1108.0, 1111.2),
)


@dataclass(frozen=True)
class OutfallSite:
    """A point source discharging at an outfall: WWTP or industrial, with its design flow."""

    source_id: str
    name: str
    kind: str
    sector: str
    county_id: str
    river: str
    lon: float
    lat: float
    flow_m3d: float


OUTFALLS = tuple(OutfallSite(*row) for row in (
    ("P01", "榆次区第一污水处理厂", "wwtp", "sewage_treatment", "140702", "XIAO", 112.662, 37.668, 100000.0),
    ("P02", "榆次区第二污水处理厂", "wwtp", "sewage_treatment", "140702", "TAIYU", 112.620, 37.745, 40000.0),
    ("P03", "晋中开发区污水处理厂", "wwtp", "sewage_treatment", "140702", "TAIYU", 112.592, 37.710, 30000.0),
    ("P04", "太谷区污水处理厂", "wwtp", "sewage_treatment", "140703", "WUMA", 112.520, 37.422, 30000.0),
    ("P05", "祁县污水处理厂", "wwtp", "sewage_treatment", "140727", "CHANGYUAN", 112.322, 37.366, 20000.0),
    ("P06", "平遥县污水处理厂", "wwtp", "sewage_treatment", "140728", "HUIJI", 112.180, 37.195, 30000.0),
    ("P07", "介休市第一污水处理厂", "wwtp", "sewage_treatment", "140781", "FEN", 111.870, 37.060, 40000.0),
    ("P08", "介休市第二污水处理厂", "wwtp", "sewage_treatment", "140781", "LONGFENG", 111.925, 37.035, 20000.0),
    ("P09", "灵石县污水处理厂", "wwtp", "sewage_treatment", "140729", "FEN", 111.755, 36.872, 20000.0),
    ("P10", "寿阳县污水处理厂", "wwtp", "sewage_treatment", "140725", "XIAO", 113.160, 37.885, 15000.0),
    ("P11", "昔阳县污水处理厂", "wwtp", "sewage_treatment", "140724", "SONGXI", 113.720, 37.607, 12000.0),
    ("P12", "和顺县污水处理厂", "wwtp", "sewage_treatment", "140723", "QINGZHANG_W", 113.565, 37.318, 8000.0),
    ("P13", "左权县污水处理厂", "wwtp", "sewage_treatment", "140722", "QINGZHANG_W", 113.390, 37.076, 9000.0),
    ("P14", "榆社县污水处理厂", "wwtp", "sewage_treatment", "140721", "ZHUOZHANG_N", 112.946, 37.060, 8000.0),
    ("P15", "介休市焦化企业", "industrial", "coking", "140781", "FEN", 111.900, 37.095, 2200.0),
    ("P16", "介休市煤化工企业", "industrial", "chemicals", "140781", "FEN", 111.862, 37.045, 3000.0),
    ("P17", "介休市钢铁企业", "industrial", "metallurgy", "140781", "FEN", 111.935, 37.118, 1800.0),
    ("P18", "灵石县焦化企业", "industrial", "coking", "140729", "FEN", 111.765, 36.905, 1500.0),
    ("P19", "灵石县洗煤企业", "industrial", "coal", "140729", "FEN", 111.745, 36.850, 900.0),
    ("P20", "平遥县焦化企业", "industrial", "coking", "140728", "HUIJI", 112.220, 37.160, 1200.0),
    ("P21", "平遥县肉制品加工企业", "industrial", "food", "140728", "HUIJI", 112.200, 37.180, 800.0),
    ("P22", "祁县玻璃器皿企业", "industrial", "glass", "140727", "CHANGYUAN", 112.335, 37.352, 600.0),
    ("P23", "榆次区制药企业", "industrial", "pharmaceutical", "140702", "TAIYU", 112.610, 37.728, 2500.0),
    ("P24", "榆次区纺织印染企业", "industrial", "textile", "140702", "XIAO", 112.690, 37.676, 1500.0),
    ("P25", "太谷区食品企业", "industrial", "food", "140703", "WUMA", 112.500, 37.426, 500.0),
    ("P26", "寿阳县洗煤企业", "industrial", "coal", "140725", "XIAO", 113.100, 37.862, 800.0),
    ("P27", "昔阳县洗煤企业", "industrial", "coal", "140724", "SONGXI", 113.750, 37.598, 700.0),
    ("P28", "和顺县洗煤企业", "industrial", "coal", "140723", "QINGZHANG_W", 113.550, 37.300, 500.0),
    ("P29", "左权县食品企业", "industrial", "food", "140722", "QINGZHANG_W", 113.400, 37.068, 400.0),
    ("P30", "榆社县化工企业", "industrial", "chemicals", "140721", "ZHUOZHANG_N", 112.940, 37.042, 600.0),
))  # fmt: skip

INTAKES = (
    ("IN01", "潇河灌区渠首", "XIAO", 112.745, 37.683),
    ("IN02", "汾河灌区三坝渠首", "FEN", 112.322, 37.500),
    ("IN03", "昌源河灌区渠首", "CHANGYUAN", 112.400, 37.210),
    ("IN04", "灵石县工业取水口", "FEN", 111.782, 36.940),
)

_KIND_ORDER = {"headwater": 0, "confluence": 1, "intake": 2, "outfall": 3, "station": 4, "reservoir": 5,
               "section": 6, "outlet": 7}  # fmt: skip


def great_circle_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Haversine distance in km between points given in degrees (arrays broadcast)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(h))


def snap(points: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Project positions onto a polyline; returns chainage (km along the polyline), lon, lat.

    Uses a local equirectangular plane (x scaled by cos of the mean latitude), accurate to well
    under 1 % over the few tens of km between vertices here. Vectorised over positions × segments.
    """
    lon, lat = np.atleast_1d(lon).astype(float), np.atleast_1d(lat).astype(float)
    k = np.cos(np.radians(points[:, 1].mean()))
    xy = np.column_stack([points[:, 0] * k, points[:, 1]])
    a, b = xy[:-1], xy[1:]
    ab = b - a
    p = np.column_stack([lon * k, lat])[:, None, :]
    t = np.clip(((p - a) * ab).sum(-1) / (ab**2).sum(-1), 0.0, 1.0)
    proj = a + t[..., None] * ab
    nearest = np.argmin(((p - proj) ** 2).sum(-1), axis=1)
    rows = np.arange(len(lon))
    seg_km = great_circle_km(points[:-1, 0], points[:-1, 1], points[1:, 0], points[1:, 1])
    chainage = np.concatenate([[0.0], np.cumsum(seg_km)])[nearest] + t[rows, nearest] * seg_km[nearest]
    best = proj[rows, nearest]
    return chainage, best[:, 0] / k, best[:, 1]


def _sites() -> pd.DataFrame:
    """Every site to place on the network: key, kind, name, river code, approximate lon/lat."""
    rows = [(s.section_id, "section", s.name, s.river, s.lon, s.lat) for s in SECTIONS]
    rows += [(s.station_id, "station", f"{s.name}水文站", s.river, s.lon, s.lat) for s in STATIONS]
    rows += [(r.reservoir_id, "reservoir", f"{r.name}坝址", r.river, r.lon, r.lat) for r in RESERVOIRS]
    rows += [(o.source_id, "outfall", f"{o.name}排污口", o.river, o.lon, o.lat) for o in OUTFALLS]
    rows += [(key, "intake", name, river, lon, lat) for key, name, river, lon, lat in INTAKES]
    return pd.DataFrame(rows, columns=["key", "kind", "name", "river", "lon", "lat"])


def build_network() -> tuple[pd.DataFrame, dict[str, str]]:
    """Build the node table and the map from site key (section_id, station_id, ...) to node_id.

    Returns the nodes (columns of ``model.tables.NODE``, numbers unrounded) from upstream to
    downstream river by river, and ``{site key: node_id}``.
    """
    courses = {r.code: np.array(r.points, dtype=float) for r in RIVERS}
    entries: dict[str, list[dict]] = {r.code: [] for r in RIVERS}
    mouths: dict[str, tuple[str, float]] = {}  # tributary -> (receiving river, chainage)
    for river in RIVERS:  # receiving rivers first, so their courses are final when snapped onto
        if river.receiving is None:
            continue
        end = courses[river.code][-1]
        ch, lon, lat = snap(courses[river.receiving], end[0], end[1])
        courses[river.code][-1] = (lon[0], lat[0])
        mouths[river.code] = (river.receiving, round(float(ch[0]), 6))
    for receiving in {m[0] for m in mouths.values()}:
        by_chainage: dict[float, list[str]] = {}
        for trib, (rec, ch) in mouths.items():
            if rec == receiving:
                by_chainage.setdefault(ch, []).append(RIVER_BY_CODE[trib].name)
        for ch, names in by_chainage.items():
            lon, lat = _point_at(courses[receiving], ch)
            entries[receiving].append(
                dict(
                    key=f"confluence:{receiving}:{ch}",
                    kind="confluence",
                    name="、".join(names) + "汇入口",
                    chainage=ch,
                    lon=lon,
                    lat=lat,
                )
            )
    sites = _sites()
    for code, group in sites.groupby("river", sort=False):
        ch, lon, lat = snap(courses[code], group["lon"].to_numpy(), group["lat"].to_numpy())
        for (_, site), c, x, y in zip(group.iterrows(), ch, lon, lat, strict=True):
            entries[code].append(dict(key=site["key"], kind=site["kind"], name=site["name"], chainage=c, lon=x, lat=y))
    for river in RIVERS:
        start, end = courses[river.code][0], courses[river.code][-1]
        if not any(e["chainage"] == 0.0 for e in entries[river.code]):
            name = "汾河入境(太原来水)" if river.code == "FEN" else f"{river.name}源头"
            entries[river.code].append(
                dict(
                    key=f"headwater:{river.code}", kind="headwater", name=name, chainage=0.0, lon=start[0], lat=start[1]
                )
            )
        if river.receiving is None:
            total = snap(courses[river.code], end[0], end[1])[0][0]
            entries[river.code].append(
                dict(
                    key=f"outlet:{river.code}",
                    kind="outlet",
                    name=river.outlet_name,
                    chainage=total,
                    lon=end[0],
                    lat=end[1],
                )
            )
    return _chain(entries, mouths)


def _point_at(course: np.ndarray, chainage: float) -> tuple[float, float]:
    seg_km = great_circle_km(course[:-1, 0], course[:-1, 1], course[1:, 0], course[1:, 1])
    cum = np.concatenate([[0.0], np.cumsum(seg_km)])
    return float(np.interp(chainage, cum, course[:, 0])), float(np.interp(chainage, cum, course[:, 1]))


def _chain(entries: dict[str, list[dict]], mouths: dict[str, tuple[str, float]]) -> tuple[pd.DataFrame, dict[str, str]]:
    frames = []
    for river in RIVERS:
        frame = pd.DataFrame(entries[river.code])
        frame["order"] = frame["kind"].map(_KIND_ORDER)
        frame = frame.sort_values(["chainage", "order", "key"], kind="stable").reset_index(drop=True)
        frame["node_id"] = [f"{river.code}{i:02d}" for i in range(1, len(frame) + 1)]
        frame["river"] = river.name
        frame["code"] = river.code
        frame["sinuosity"] = river.sinuosity
        frames.append(frame)
    nodes = pd.concat(frames, ignore_index=True)
    node_of = dict(zip(nodes["key"], nodes["node_id"], strict=True))
    downstream = nodes.groupby("code", sort=False)["node_id"].shift(-1)
    for trib, (receiving, ch) in mouths.items():
        last = nodes.index[nodes["code"] == trib][-1]
        downstream[last] = node_of[f"confluence:{receiving}:{ch}"]
    nodes["downstream"] = downstream
    has = downstream.notna().to_numpy()
    here = nodes[has]
    down = nodes.set_index("node_id").loc[downstream[has]]
    length = np.full(len(nodes), np.nan)
    length[has] = here["sinuosity"].to_numpy() * great_circle_km(
        here["lon"].to_numpy(), here["lat"].to_numpy(), down["lon"].to_numpy(), down["lat"].to_numpy()
    )
    nodes["length_km"] = length
    columns = ["node_id", "name", "kind", "river", "lon", "lat", "downstream", "length_km"]
    return nodes[columns], {k: v for k, v in node_of.items() if ":" not in k}
