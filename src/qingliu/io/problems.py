"""Problems found in an input file, reported in Chinese and English (导入问题清单).

An import is all-or-nothing: the readers collect every problem they find, each with file,
row, column and reason, and raise one :class:`InputError` at the end. The list is capped at
:data:`MAX_PROBLEMS` so that a file with 100 000 bad rows still gives a readable message;
the rest are counted, not formatted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

MAX_PROBLEMS = 200
"""Problems kept (and formatted) per :class:`InputError`; the rest are only counted."""
_SHOWN_ROWS = 5  # row numbers listed for a value used by many rows


@dataclass(frozen=True)
class Problem:
    """One finding in an input file.

    Parameters
    ----------
    file : file name as the user knows it (no directory).
    row : the user's row number (header = 1, first data row = 2; in Excel the sheet's row),
        or None when the problem concerns the whole file or a whole column.
    column : the column header as written in the file (or the canonical name of a missing
        column), or None.
    zh, en : the reason, in Simplified Chinese and in English.
    """

    file: str
    row: int | None
    column: str | None
    zh: str
    en: str

    def __str__(self) -> str:
        where_zh = " ".join(
            part
            for part in (
                self.file,
                f"第{self.row}行" if self.row is not None else "",
                f"[{self.column}]" if self.column is not None else "",
            )
            if part
        )
        where_en = ", ".join(
            part
            for part in (
                f"row {self.row}" if self.row is not None else "",
                f"column {self.column}" if self.column is not None else "",
            )
            if part
        )
        en = f"{where_en}: {self.en}" if where_en else self.en
        return f"{where_zh}: {self.zh} / {en}" if where_zh else f"{self.zh} / {en}"


class InputError(ValueError):
    """An input file (or batch) with problems; nothing of it may be imported.

    Parameters
    ----------
    problems : the problems found (at most :data:`MAX_PROBLEMS` are listed by ``str()``).
    omitted : further problems that were counted but not formatted.
    """

    def __init__(self, problems: Sequence[Problem], omitted: int = 0) -> None:
        self.problems = list(problems)
        self.omitted = omitted
        super().__init__(self._message())

    def _message(self) -> str:
        shown = self.problems[:MAX_PROBLEMS]
        lines = [f"{len(self.problems) + self.omitted} 个问题 / problem(s):", *(f"  {p}" for p in shown)]
        more = len(self.problems) - len(shown) + self.omitted
        if more:
            lines.append(f"  ……另有 {more} 个问题 / ... and {more} more")
        return "\n".join(lines)

    def __reduce__(self) -> tuple[type[InputError], tuple[list[Problem], int]]:
        return (InputError, (self.problems, self.omitted))  # picklable across processes


class ProblemLog:
    """Collects the problems of one file; formats at most :data:`MAX_PROBLEMS` of them."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.omitted = 0

    def __bool__(self) -> bool:
        return bool(self.problems) or self.omitted > 0

    def add(self, row: int | None, column: str | None, zh: str, en: str) -> None:
        """Record one problem."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(self.file, None if row is None else int(row), column, zh, en))
        else:
            self.omitted += 1

    def add_cells(
        self,
        mask: np.ndarray,
        rows: np.ndarray,
        column: str | np.ndarray | None,
        zh: str,
        en: str,
        **fields: np.ndarray,
    ) -> None:
        """Record one problem per row where ``mask`` is true.

        ``zh`` and ``en`` are templates formatted with the i-th item of each array in ``fields``
        (e.g. ``value=cells``); ``column`` is one header or an array with one per row. Only the
        problems that fit under the cap are formatted, so a check over many rows stays cheap.
        """
        hits = np.flatnonzero(np.asarray(mask, dtype=bool))
        room = max(MAX_PROBLEMS - len(self.problems), 0)
        for i in hits[:room]:
            values = {name: array[i] for name, array in fields.items()}
            col = column[i] if isinstance(column, np.ndarray) else column
            self.add(int(rows[i]), col, zh.format(**values), en.format(**values))
        self.omitted += max(len(hits) - room, 0)

    def add_grouped(
        self, mask: np.ndarray, values: pd.Series, rows: np.ndarray, column: str | None, zh: str, en: str
    ) -> None:
        """One problem per distinct value among the rows in ``mask`` (an unknown id used by many rows).

        Reported at the value's first row; templates get ``{value}``, ``{n}`` (rows using it)
        and ``{rows}`` (the first few row numbers).
        """
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        hits = pd.DataFrame({"value": values.to_numpy()[mask], "row": np.asarray(rows)[mask]})
        for value, group in hits.groupby("value", sort=False)["row"]:
            n = len(group)
            shown = ", ".join(str(r) for r in group.iloc[:_SHOWN_ROWS]) + (" …" if n > _SHOWN_ROWS else "")
            fields = {"value": value, "n": n, "rows": shown}
            self.add(int(group.iloc[0]), column, zh.format(**fields), en.format(**fields))

    def error(self) -> InputError:
        """The :class:`InputError` carrying everything collected."""
        return InputError(sorted(self.problems, key=_order), self.omitted)

    def raise_if_any(self) -> None:
        """Raise :meth:`error` when anything was collected."""
        if self:
            raise self.error()


def _order(problem: Problem) -> tuple[int, str]:
    return (-1 if problem.row is None else problem.row, problem.column or "")
