"""What a destination of the import pipeline declares: its fields (`fields.TargetField`), options and upsert.

A target knows nothing of files: the pipeline gives it a staging table filled with cleaned WGS84
MultiPolygons (column `geom`), their geodesic area (`area_m2`) and one column per target field, and the target
resolves, rejects and upserts with its own `.sql` files. For a large first load a target may take the prepared
batches itself instead (`direct_load`, a `DirectLoad`). `gis_core` holds the generic parts; domain apps
(parcels) define their own targets.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from gis_core.importing.fields import TargetField

if TYPE_CHECKING:
    from psycopg import Cursor

    from gis_core.importing.prepared import PreparedBatch
    from gis_core.importing.staging import IssueLog, Staging


@dataclass
class ImportRequest:
    """Everything a run needs, as given on the command line or by code."""

    target: str
    path: Path
    layer: str | None = None
    srid: int | None = None
    mapping: dict[str, str] = field(default_factory=dict)  # target field -> source field
    constants: dict[str, str] = field(default_factory=dict)  # target field -> value for every feature
    options: dict[str, Any] = field(default_factory=dict)  # target-specific (commune, level, plan, rules)
    dry_run: bool = False
    progress: bool | None = None  # None: a bar when stderr is a terminal


@dataclass
class UpsertCounts:
    inserted: int = 0
    updated: int = 0


class BatchSink(Protocol):
    """Where prepared batches go: `with sink.copy() as send: send(batch)` (one COPY for the whole run)."""

    def copy(self) -> AbstractContextManager[Callable[[PreparedBatch], None]]: ...


class DirectLoad(BatchSink, Protocol):
    """A target's own loading of the prepared batches (no staging table); `finish` returns the counts."""

    def finish(self, log: IssueLog) -> UpsertCounts: ...


class Target(abc.ABC):
    """Base of the import targets. Subclasses set the class attributes and implement `apply`."""

    name: str = ""
    fields: tuple[TargetField, ...] = ()
    reference_field: str | None = None  # names a feature in reports; None when the target has no reference
    keep_attributes: bool = False  # unmapped source fields kept as JSON in the staging column `attributes`
    keep_non_polygonal: bool = False  # points and lines reach the staging table (to be buffered by the target)
    option_names: tuple[str, ...] = ()

    def field_names(self) -> list[str]:
        return [target_field.name for target_field in self.fields]

    def check_options(self, request: ImportRequest) -> None:
        """Validate the target-specific options and constants before any reading; raise ImportInputError."""
        return None  # the default target has no options of its own

    def direct_load(
        self, *, request: ImportRequest, cursor: Cursor[Any], feature_count: int | None
    ) -> DirectLoad | None:
        """A `DirectLoad` when this run should bypass the staging table (a bulk first load); None by default."""
        return None

    @abc.abstractmethod
    def apply(self, *, staging: Staging, request: ImportRequest) -> UpsertCounts:
        """Resolve, reject and upsert the staged rows; the whole run is inside one transaction."""
