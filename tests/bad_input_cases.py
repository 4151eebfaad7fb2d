"""Bad input files shared by the importer tests and the all-or-nothing import tests.

Each case is a small file written by hand; the expected row is counted by hand (header = row 1).
``KNOWN`` lists the ids a database must hold for the cases' references (tests/services builds it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

KNOWN = {
    ("section", "section_id"): {"S01", "S02"},
    ("station", "station_id"): {"ST1"},
    ("county", "county_id"): {"140702"},
    ("node", "node_id"): {"N1", "N2"},
}
SECTION_HEAD = "section_id,name,river,node_id,level,water_body,target_class,county_id,is_boundary\n"
SECTION_ROW = "S03,桑平峪,汾河,N1,{level},river,{cls},{county},{boundary}\n"
PROJECT_HEAD = "项目编码,项目名称,类别,所在区县,责任单位,开工日期,完工日期,总投资(万元),状态,形象进度(%)\n"
WIDE_HEAD = "断面编码,监测时间,{param}\n"


@dataclass(frozen=True)
class Case:
    kind: str
    content: str | bytes
    row: int | None
    column: str | None
    zh: str
    en: str
    suffix: str = ".csv"
    names: dict[str, str] = field(default_factory=dict)


def _section(level: str = "national", cls: str = "3", county: str = "140702", boundary: str = "否") -> str:
    return SECTION_HEAD + SECTION_ROW.format(level=level, cls=cls, county=county, boundary=boundary)


CASES = {
    "unknown section": Case(
        "samples",
        "section_id,time,parameter,value\nS01,2024-03-05,tp,0.1\nS99,2024-03-05,tp,0.1\n",
        3,
        "section_id",
        "未知的监测断面「S99」",
        "unknown section 'S99'",
    ),
    "unknown parameter (long)": Case(
        "samples",
        "section_id,time,parameter,value\nS01,2024-03-05,xyz,0.1\n",
        2,
        "parameter",
        "未知的监测项目「xyz」",
        "unknown parameter 'xyz'",
    ),
    "unknown parameter column (wide)": Case(
        "samples",
        WIDE_HEAD.format(param="氨氮,铀(mg/L)") + "S01,2024-03-05,0.2,0.1\n",
        1,
        "铀(mg/L)",
        "未知的监测项目",
        "unknown parameter",
    ),
    "unparseable number": Case(
        "samples",
        WIDE_HEAD.format(param="总磷(mg/L)") + "S01,2024-03-05,0.1\nS01,2024-03-06,abc\n",
        3,
        "总磷(mg/L)",
        "不是数字「abc」",
        "not a number 'abc'",
    ),
    "decimal comma is not a number": Case(
        "samples",
        WIDE_HEAD.format(param="总磷") + 'S01,2024-03-05,"0,05"\n',
        2,
        "总磷",
        "不是数字「0,05」",
        "not a number '0,05'",
    ),
    "unparseable date": Case(
        "samples",
        WIDE_HEAD.format(param="总磷") + "S01,2024-13-45,0.1\n",
        2,
        "监测时间",
        "不是日期「2024-13-45」",
        "not a date '2024-13-45'",
    ),
    "impossible date": Case("flows", "station_id,date,q\nST1,2023-02-30,1.0\n", 2, "date", "不是日期", "not a date"),
    "negative concentration": Case(
        "samples",
        WIDE_HEAD.format(param="氨氮") + "S01,2024-03-05,0.3\nS01,2024-03-06,-0.5\n",
        3,
        "氨氮",
        "浓度为负值「-0.5」",
        "negative concentration '-0.5'",
    ),
    "pH 15": Case(
        "samples", WIDE_HEAD.format(param="pH") + "S01,2024-03-05,15\n", 2, "pH", "超出 0–14", "outside 0-14"
    ),
    "unconvertible unit in a parameter header": Case(
        "samples",
        WIDE_HEAD.format(param="总磷(个/L)") + "S01,2024-03-05,0.1\n",
        1,
        "总磷(个/L)",
        "单位「个/L」无法换算为 mg/L",
        "unit '个/L' cannot be converted to mg/L",
    ),
    "unconvertible unit in a flow header": Case(
        "flows",
        "测站编码,日期,流量(kg)\nST1,2024-03-05,1.0\n",
        1,
        "流量(kg)",
        "无法换算为 m3/s",
        "cannot be converted to m3/s",
    ),
    "unconvertible unit in a unit column": Case(
        "samples",
        "断面编码,监测时间,监测项目,监测值,单位\nS01,2024-03-05,总磷,0.1,mg/L\nS01,2024-03-06,总磷,3,kg\n",
        3,
        "单位",
        "单位「kg」无法换算为 mg/L",
        "unit 'kg' cannot be converted to mg/L",
    ),
    "duplicated flow keys with different values": Case(
        "flows",
        "station_id,date,q\nST1,2024-03-05,1.0\nST1,2024-03-05,2.0\n",
        3,
        None,
        "与第2行的键",
        "as row 2 but different values",
    ),
    "duplicated samples with different values": Case(
        "samples",
        "section_id,time,parameter,value\nS01,2024-03-05,tp,0.1\nS01,2024-03-05,总磷,0.2\n",
        3,
        None,
        "相同，但数值不同",
        "different values",
    ),
    "UTF-16 file": Case(
        "flows",
        "station_id,date,q\nST1,2024-03-05,1.0\n".encode("utf-16"),
        None,
        None,
        "文件编码无法识别",
        "unknown file encoding",
    ),
    "UTF-16 without BOM": Case(
        "flows",
        "测站编码,日期,流量\nST1,2024-03-05,1.0\n".encode("utf-16-le"),
        None,
        None,
        "文件编码无法识别",
        "unknown file encoding",
    ),
    "binary junk": Case("flows", bytes(range(256)) * 4, None, None, "文件编码无法识别", "unknown file encoding"),
    "empty file": Case("flows", "", None, None, "文件为空", "the file is empty"),
    "header only": Case("flows", "station_id,date,q\n", 1, None, "只有表头", "header only"),
    "truncated row": Case(
        "flows",
        "station_id,date,q\nST1,2024-03-05,1.0\nST1,2024-03-06\n",
        3,
        None,
        "少于表头的 3 列",
        "fewer than the 3 header columns",
    ),
    "more fields than the header": Case(
        "flows",
        "station_id,date,q\nST1,2024-03-05,1.0,7\n",
        2,
        None,
        "多于表头的 3 列",
        "more than the 3 header columns",
    ),
    "unclosed quote": Case(
        "flows", 'station_id,date,q\nST1,2024-03-05,1.0\nST1,"2024-03-06,2.0\n', 3, None, "引号未闭合", "not closed"
    ),
    "unknown choice": Case(
        "sections", _section(level="county-level"), 2, "level", "不是可选值", "is not one of national, provincial"
    ),
    "unknown water-use sector": Case(
        "water-use",
        "区划代码,年份,用水行业,水源,用水量\n140702,2023,商业,地表水,12\n",
        2,
        "用水行业",
        "「商业」不是可选值",
        "'商业' is not one of agriculture",
    ),
    "progress above 100 %": Case(
        "projects",
        PROJECT_HEAD + "P1,污水厂,水环境,140702,住建局,2024-01-01,2025-12-31,1000,在建,120\n",
        2,
        "形象进度(%)",
        "「120」大于上限 100%",
        "'120' is above the maximum 100%",
    ),
    "missing required column": Case(
        "flows", "station_id,date\nST1,2024-03-05\n", 1, "q", "缺少必填列「流量(m3/s)」", "missing required column q"
    ),
    "missing required value": Case(
        "sections",
        SECTION_HEAD + "S03,,汾河,N1,national,river,3,140702,否\n",
        2,
        "name",
        "必填值缺失",
        "required value missing",
    ),
    "unknown county": Case(
        "sections", _section(county="999999"), 2, "county_id", "未知的区县「999999」", "unknown county '999999'"
    ),
    "unknown downstream node": Case(
        "network",
        "node_id,kind,river,lon,lat,downstream\nN5,headwater,汾河,112.1,37.5,N9\n",
        2,
        "downstream",
        "未知的河网节点「N9」",
        "unknown node 'N9'",
    ),
    "plain ND without a detection limit": Case(
        "samples",
        WIDE_HEAD.format(param="总磷") + "S01,2024-03-05,ND\nS01,2024-03-06,未检出\n",
        2,
        "总磷",
        "未给出检出限",
        "without a detection limit",
    ),
    "unknown extension": Case(
        "flows", "x", None, None, "不支持的文件类型「.doc」", "unsupported file type '.doc'", ".doc"
    ),
    "old .xls": Case(
        "flows", b"\xd0\xcf\x11\xe0", None, None, "不支持旧版 .xls", "old .xls files are not supported", ".xls"
    ),
    "not really an xlsx": Case(
        "flows", "a,b\n1,2\n", None, None, "无法读取 Excel 文件", "cannot read the Excel file", ".xlsx"
    ),
    "negative flow": Case(
        "flows", "station_id,date,q\nST1,2024-03-05,-3\n", 2, "q", "「-3」小于下限 0", "'-3' is below the minimum 0"
    ),
    "bad boolean": Case(
        "sections",
        _section(boundary="maybe"),
        2,
        "is_boundary",
        "不是「是/否」值「maybe」",
        "not a yes/no value 'maybe'",
    ),
    "target class 6": Case(
        "sections", _section(cls="6"), 2, "target_class", "「6」大于上限 5", "'6' is above the maximum 5"
    ),
    "target class VI": Case(
        # problems quote the cell after NFKC folding: the Roman numeral Ⅵ reads VI
        "sections",
        _section(cls="Ⅵ类"),
        2,
        "target_class",
        "不是整数「VI类」",
        "not a whole number 'VI类'",
    ),
    "year with a fraction": Case(
        "water-use",
        "county_id,year,sector,origin,volume\n140702,2023.5,industry,surface,1\n",
        2,
        "year",
        "不是整数「2023.5」",
        "not a whole number '2023.5'",
    ),
    "unknown section name (wide)": Case(
        "samples",
        "断面名称,监测时间,总磷\n桑平峪,2024-03-05,0.1\n无名桥,2024-03-05,0.1\n",
        3,
        "断面名称",
        "未知的断面名称「无名桥」",
        "unknown section name '无名桥'",
        names={"桑平峪": "S01"},
    ),
    "no section column (wide)": Case(
        "samples",
        "监测时间,总磷\n2024-03-05,0.1\n",
        1,
        "section_id",
        "缺少必填列「断面编码」",
        "missing required column section_id",
    ),
    "no parameter column (wide)": Case(
        "samples",
        "断面编码,监测时间,备注\nS01,2024-03-05,好\n",
        1,
        None,
        "没有可识别的监测项目列",
        "no parameter column",
    ),
    "same parameter twice (wide)": Case(
        "samples",
        WIDE_HEAD.format(param="氨氮,NH3-N") + "S01,2024-03-05,0.2,0.2\n",
        1,
        "NH3-N",
        "与「氨氮」是同一监测项目",
        "same parameter (nh3n) as column '氨氮'",
    ),
    "same column twice": Case(
        "flows",
        "station_id,测站编码,date,q\nST1,ST1,2024-03-05,1\n",
        1,
        "测站编码",
        "与「station_id」重复",
        "duplicates column 'station_id'",
    ),
    "unknown flag": Case(
        "samples",
        "section_id,time,parameter,value,flag\nS01,2024-03-05,tp,0.1,?\n",
        2,
        "flag",
        "标识「?」无法识别",
        "flag '?' not understood",
    ),
    "county with two names": Case(
        "counties",
        "区划代码,区县名称,年份,常住人口,地区生产总值,工业增加值,有效灌溉面积\n"
        "140702,榆次区,2022,1,1,1,1\n140702,榆次县,2023,1,1,1,1\n",
        3,
        None,
        "与第2行的键（140702）相同，但数值不同",
        "same key (140702) as row 2 but different values",
    ),
    "yearly columns without a year": Case(
        "counties",
        "区划代码,区县名称,常住人口\n140702,榆次区,600000\n",
        1,
        "year",
        "缺少必填列「年份」",
        "missing required column year",
    ),
}


def write_case(tmp_path, case: Case):
    path = tmp_path / f"input{case.suffix}"
    data = case.content.encode("utf-8") if isinstance(case.content, str) else case.content
    path.write_bytes(data)
    return path
