"""A table of the office statistics: its columns (a stable key, the header of the exports; a translated label, the
page's) and its rows of plain values (text, whole numbers, days and percentages rounded to one decimal, dates), the
same on the page and in the CSV and XLSX downloads."""

from dataclasses import dataclass, field
from datetime import date

from django.utils.functional import Promise
from django.utils.translation import get_language

Value = str | int | float | date | None


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    numeric: bool = False


@dataclass(frozen=True)
class Table:
    key: str  # the download's name: /office/statistics/<key>.csv
    title: str | Promise
    columns: tuple[Column, ...]
    rows: list[tuple[Value, ...]]
    files: list[int] = field(default_factory=list)  # the file of each row, for its link (the limits' table)

    @property
    def keys(self) -> list[str]:
        return [column.key for column in self.columns]

    @property
    def lines(self) -> list[tuple[int | None, list[tuple[Value, bool]]]]:
        """For the page: each row's file (None in the tables that list no file) and its cells, each with whether its
        column is a number (aligned at the end)."""
        files: list[int | None] = list(self.files) or [None] * len(self.rows)
        numeric = [column.numeric for column in self.columns]
        return [(file, list(zip(row, numeric, strict=True))) for file, row in zip(files, self.rows, strict=True)]

    def column(self, key: str) -> list[Value]:
        index = self.keys.index(key)
        return [row[index] for row in self.rows]


def rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def percent(share: float | None) -> float | None:
    return None if share is None else round(float(share) * 100, 1)


def localized(name_fr: str, name_ar: str = "", name_en: str = "") -> str:
    """A name in the page's language, in French when it has none in that language."""
    names = {"ar": name_ar, "en": name_en}
    return names.get((get_language() or "fr")[:2]) or name_fr
