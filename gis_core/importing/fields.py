"""The fields a target declares: a name, a kind and the source names tried by default.

They are the vocabulary the pipeline's parts share: a target declares them (`targets`), the staging table has one
typed column per field (`staging`) and source values are converted to their kind (`convert`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class FieldKind(enum.StrEnum):
    TEXT = "text"
    FLOAT = "float"
    INTEGER = "integer"

    @property
    def sql_type(self) -> str:
        return {"text": "text", "float": "double precision", "integer": "bigint"}[self.value]


@dataclass(frozen=True)
class TargetField:
    """One field of a target; `sources` are the source field names tried, case-insensitively, by default."""

    name: str
    kind: FieldKind = FieldKind.TEXT
    required: bool = False
    sources: tuple[str, ...] = ()
    help: str = ""
