"""Stateless water-quality tools on files (``qingliu wq ...``): no workspace, no database.

For analysts with spreadsheets and for outside checks: classify every sample of a file, evaluate
sections over a period, compute trophic indices. Files are read by the same importers as
workspace imports (CSV/xlsx/Parquet, Chinese or English headers, detection-limit notation).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from qingliu import io
from qingliu.assess.evaluation import dl_substituted, evaluate_sections, period_means
from qingliu.assess.quality import classify
from qingliu.assess.regional import evaluate_group
from qingliu.assess.trophic import tli
from qingliu.standards import catalogue, load_class_limits


def _sample_matrix(samples: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per sample (section, time), in the order the samples first appear in the file."""
    long = samples.assign(value=dl_substituted(samples["value"], samples["flag"]))
    # a sample is a (section, time); in a table without times, a file row
    keys = ["section_id", "time"] if long["time"].notna().all() else ["row"]
    order = long.groupby(keys, sort=False)["row"].min().sort_values()
    wide = long.pivot_table(index=keys, columns="parameter", values="value", aggfunc="mean")
    wide = wide.reindex(order.index)
    codes = [c for c in catalogue() if c in wide.columns]
    return order.index.to_frame(index=False), wide[codes]


def classify_file(path: str | Path, water_body: str = "river") -> pd.DataFrame:
    """Classify every sample of a file by GB 3838-2002 Table 1 (single-factor method).

    Below-detection-limit values count at the method's detection-limit rule (default half the
    limit, ``method_2011.toml``). Returns one row per sample in input order: ``section_id``,
    ``time``, ``class`` (1-6, empty when nothing is evaluable), ``class_label``, ``worst``
    (items setting the class, ";"-joined) and ``class_<item>`` for every item in the file.
    """
    samples = io.read_sample_rows(path)
    keys, wide = _sample_matrix(samples)
    if "row" in keys:
        keys = samples.drop_duplicates("row").set_index("row").loc[keys["row"], ["section_id", "time"]].reset_index(drop=True)
    limits = load_class_limits()
    result = classify(wide.to_numpy(float), tuple(wide.columns), water_body=water_body, limits=limits)
    klass = result.sample_class.astype(int)
    out = keys.copy()
    out["time"] = out["time"].dt.strftime("%Y-%m-%d %H:%M").str.removesuffix(" 00:00").fillna("")
    out["class"] = pd.array(np.where(klass > 0, klass, 0), dtype="Int64").astype("Int64")
    out.loc[klass == 0, "class"] = pd.NA
    out["class_label"] = np.where(klass > 0, np.array(limits.labels, dtype=object)[np.maximum(klass, 1) - 1], "")
    out["worst"] = result.worst_codes()
    for j, code in enumerate(result.codes):
        item = result.item_class[:, j].astype(int)
        out[f"class_{code}"] = pd.array(np.where(item > 0, item, 0), dtype="Int64")
        out.loc[item == 0, f"class_{code}"] = pd.NA
    if (out["section_id"] == "").all():
        out = out.drop(columns="section_id")
    return out


def _sections_file(path: str | Path) -> pd.DataFrame:
    sections = io.read_table(path, "section", required=("section_id", "target_class"))
    sections["water_body"] = sections["water_body"].replace("", "river")
    return sections


def evaluate_file(
    samples_path: str | Path, sections_path: str | Path, start: str | None = None, end: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Evaluate the sections of a sample file over a period (环办〔2011〕22号).

    ``start`` and ``end`` are months ``YYYY-MM``, both included. Returns the per-section table
    (section_id, n, class, class_label, target_class, meets_target, main_pollutants, then the
    mean of each item) and the summary per river and for all sections (share_1_3, share_6,
    status, main_pollutants).
    """
    samples = io.read_sample_rows(samples_path)
    sections = _sections_file(sections_path)
    unknown = sorted(set(samples["section_id"]) - set(sections["section_id"]))
    if unknown:
        raise io.InputError(
            [io.Problem(Path(sections_path).name, None, "section_id", f"断面表中没有这些断面：{', '.join(unknown)}",
                        f"sections missing from the section file: {', '.join(unknown)}")]
        )
    end_ts = pd.Period(end, "M").end_time.normalize() + pd.Timedelta(days=1) if end else None
    means = period_means(samples, freq=None, start=start, end=end_ts)
    results = evaluate_sections(means, sections)
    in_period = samples["time"].notna() & samples["value"].notna()
    if start:
        in_period &= samples["time"] >= pd.Timestamp(start)
    if end_ts is not None:
        in_period &= samples["time"] < end_ts
    counts = samples[in_period].groupby("section_id")["time"].nunique().rename("n")  # sampling times in the period
    wide = means.pivot_table(index="section_id", columns="parameter", values="value")
    wide = wide[[c for c in catalogue() if c in wide.columns]]
    table = results[["section_id"]].join(counts, on="section_id")
    for column in ("class", "class_label", "target_class", "meets_target", "main_pollutants"):
        table[column] = results[column]
    table = table.join(wide, on="section_id")
    groups = [evaluate_group(results, means, group_by=("river",)), evaluate_group(results, means, group_by=()).assign(river="*")]
    summary = pd.concat(groups, ignore_index=True)
    summary = summary.rename(columns={"status_zh": "status"})[
        ["river", "n_sections", "share_1_3", "share_6", "status", "status_en", "main_pollutants", "share_meeting_target"]
    ]
    return table, summary


TLI_ITEMS = ("chla", "tp", "tn", "sd", "codmn")


def tli_file(path: str | Path) -> pd.DataFrame:
    """Trophic level index TLI(Σ) of each row of a file with chla, tp, tn, sd[, codmn].

    Returns the file's rows as they are (text cells) followed by ``tli_chla``, ``tli_tp``,
    ``tli_tn``, ``tli_sd``, ``tli_codmn``, ``tli`` and ``trophic_class`` (Chinese and English).
    Units follow the catalogue (chla mg/m3, sd m, others mg/L); headers may carry other units.
    """
    raw = io.read_raw(path)
    samples = io.read_sample_rows(path)
    wide = samples.pivot_table(index="row", columns="parameter", values="value").reindex(
        index=raw["row"], columns=list(TLI_ITEMS)
    )
    result = tli(wide["chla"], wide["tp"], wide["tn"], wide["sd"], wide["codmn"]).to_frame(index=raw.index)
    out = raw.drop(columns="row")
    for column in ("tli_chla", "tli_tp", "tli_tn", "tli_sd", "tli_codmn", "tli"):
        out[column] = result[column].round(2)
    out["trophic_class"] = result["trophic_zh"] + " " + result["trophic_en"]
    return out
