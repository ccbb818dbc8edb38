"""The import pipeline: read a layer in batches, check and reproject, repair, COPY to staging, let the target upsert.

`import_layer(request, targets)` is the one entry point (the `import_layer` command and `load_demo` call it):

1. describe the source (layer, CRS; a source without CRS needs an SRID) and resolve the field mapping;
2. per batch of `GIS_IMPORT_BATCH_SIZE` features: refuse coordinates that cannot be in the source CRS,
   reproject to WGS84 with pyproj (vectorised), apply the repair policy (`clean_polygons`), convert the mapped
   values, and COPY the kept rows into a TEMP staging table (memory stays flat whatever the file size);
3. the target resolves, rejects, deduplicates and upserts with its own SQL.

Everything runs in ONE transaction: a failure rolls it all back. The `ImportRun` summary is saved with the data
on success, and after the rollback for a dry run or a failure.
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import psycopg
import shapely
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from pyproj import CRS, Transformer
from tqdm import tqdm

from gis_core.geometry import CoordinatesOutsideCrs, check_coordinates_in_crs, clean_polygons
from gis_core.importing.errors import ImportAborted, ImportInputError
from gis_core.importing.source import Batch, SourceLayer, describe_source, read_batches
from gis_core.importing.staging import IssueLog, Staging
from gis_core.importing.targets import FieldKind, ImportRequest, Target, TargetField
from gis_core.models import ImportRun, ImportStatus
from gis_core.srid import STORAGE_SRID, crs_for


@dataclass
class ImportSummary:
    """What a run did; the same figures are kept in its `ImportRun`."""

    target: str
    source: str
    layer: str
    source_srid: int | None
    status: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    repaired: int = 0
    rejected: int = 0
    issues: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0
    run_id: int | None = None

    def lines(self, *, issues: int = 20) -> list[str]:
        """A short human summary: the counts, then the first issues."""
        head = (
            f"{self.target} from {self.source} [{self.layer}] ({self.status}, {self.seconds:.1f} s): "
            f"read {self.read}, inserted {self.inserted}, updated {self.updated}, "
            f"repaired {self.repaired}, rejected {self.rejected}"
        )
        shown = [
            f"  {issue['action']} feature {issue['feature']}"
            + (f" ({issue['reference']})" if issue.get("reference") else "")
            + f": {issue['reason']}"
            for issue in self.issues[:issues]
        ]
        hidden = self.repaired + self.rejected - len(shown)
        if hidden > 0:
            shown.append(f"  ... and {hidden} more (ImportRun {self.run_id})")
        return [head, *shown]


class _DryRunRollback(Exception):
    """Raised inside the transaction to roll a dry run back."""


def resolve_mapping(target: Target, request: ImportRequest, source_fields: Sequence[str]) -> dict[str, str]:
    """Target field -> source field: explicit `--map` first, then the target's default source names."""
    known = {target_field.name: target_field for target_field in target.fields}
    for name in [*request.mapping, *request.constants]:
        if name not in known:
            raise ImportInputError(
                f"{target.name} has no field {name!r}; its fields are: {', '.join(target.field_names())}"
            )
    by_lower = {name.lower(): name for name in source_fields}
    mapping: dict[str, str] = {}
    for name, source_field in request.mapping.items():
        if source_field not in source_fields:
            actual = by_lower.get(source_field.lower())
            if actual is None:
                raise ImportInputError(
                    f"--map {name}={source_field}: the source has no field {source_field!r}; "
                    f"its fields are: {', '.join(source_fields) or '(none)'}"
                )
            source_field = actual
        mapping[name] = source_field
    for target_field in target.fields:
        if target_field.name in mapping or target_field.name in request.constants:
            continue
        for candidate in (target_field.name, *target_field.sources):
            if candidate.lower() in by_lower:
                mapping[target_field.name] = by_lower[candidate.lower()]
                break
    missing = [
        target_field.name
        for target_field in target.fields
        if target_field.required and target_field.name not in mapping and target_field.name not in request.constants
    ]
    if missing:
        raise ImportInputError(
            f"{target.name} needs {', '.join(missing)}: map it with --map {missing[0]}=SOURCE_FIELD or give a "
            f"value with --set {missing[0]}=VALUE; the source fields are: {', '.join(source_fields) or '(none)'}"
        )
    return mapping


def text_value(value: Any) -> str | None:
    """A source value as text: integral floats lose their '.0', dates are ISO, blanks are None."""
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def typed_value(value: Any, kind: FieldKind) -> Any:
    """Convert a source value to the field's kind; raise ValueError with a readable reason."""
    text = text_value(value)
    if text is None or kind is FieldKind.TEXT:
        return text
    number = float(text.replace(",", ".")) if isinstance(value, str) else float(value)
    if not math.isfinite(number):
        raise ValueError(f"{text!r} is not a finite number")
    if kind is FieldKind.INTEGER:
        if not number.is_integer():
            raise ValueError(f"{text!r} is not a whole number")
        return int(number)
    return number


def json_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    return value


class _BatchWriter:
    """Turns source batches into staging rows; holds the per-run state (CRS, transformer, constants)."""

    def __init__(self, target: Target, source: SourceLayer, mapping: dict[str, str], request: ImportRequest) -> None:
        self.target = target
        self.source = source
        self.mapping = mapping
        self.fields: list[TargetField] = list(target.fields)
        self.constants: dict[str, Any] = {}
        for name, value in request.constants.items():
            kind = next(f.kind for f in target.fields if f.name == name)
            try:
                self.constants[name] = typed_value(value, kind)
            except ValueError as error:
                raise ImportInputError(f"--set {name}={value}: {error}") from error
        mapped = set(mapping.values())
        self.attribute_columns = (
            [name for name in source.fields if name not in mapped] if target.keep_attributes else []
        )
        self.crs: CRS = source.crs
        storage = crs_for(STORAGE_SRID)
        self.transformer: Transformer | None = (
            None if self.crs.equals(storage) else Transformer.from_crs(self.crs, storage, always_xy=True)
        )
        self.index = 0

    @property
    def source_columns(self) -> list[str]:
        return sorted(set(self.mapping.values()) | set(self.attribute_columns))

    def reproject(self, geometries: np.ndarray) -> np.ndarray:
        transformer = self.transformer
        if transformer is None:
            return geometries

        def transform(coordinates: np.ndarray) -> np.ndarray:
            x, y = transformer.transform(coordinates[:, 0], coordinates[:, 1])
            return np.column_stack([x, y])

        return shapely.transform(geometries, transform)

    def rows(self, batch: Batch, log: IssueLog) -> Iterator[tuple[Any, ...]]:
        count = len(batch)
        first_index = self.index
        self.index += count
        reference_source = self.mapping.get(self.target.reference_field or "")
        references: list[Any] = (
            [text_value(value) for value in batch.columns[reference_source]]
            if reference_source
            else [self.constants.get(self.target.reference_field or "")] * count
        )
        wkb = np.asarray(batch.wkb.to_numpy(zero_copy_only=False), dtype=object)
        geometries = shapely.force_2d(shapely.from_wkb(wkb, on_invalid="ignore"))
        labels = [
            f"{fid}" + (f" ({reference})" if reference else "")
            for fid, reference in zip(batch.fids, references, strict=True)
        ]
        try:
            check_coordinates_in_crs(geometries, self.crs, labels)
        except CoordinatesOutsideCrs as error:
            raise ImportInputError(str(error)) from error
        cleaned = clean_polygons(self.reproject(geometries), keep_non_polygonal=self.target.keep_non_polygonal)
        for position, reason in cleaned.repaired:
            log.add("repaired", batch.fids[position], references[position], reason)
        for position, reason in cleaned.rejected:
            log.add("rejected", batch.fids[position], references[position], reason)
        kept = np.flatnonzero(cleaned.kept)
        if not len(kept):
            return
        wkb_hex = shapely.to_wkb(shapely.set_srid(cleaned.geometries[kept], STORAGE_SRID), hex=True, include_srid=True)
        field_values: list[list[Any] | None] = [
            batch.columns[self.mapping[f.name]] if f.name in self.mapping else None for f in self.fields
        ]
        attribute_values = [batch.columns[name] for name in self.attribute_columns]
        for geometry_hex, position in zip(wkb_hex, kept.tolist(), strict=True):
            values: list[Any] = []
            problem = None
            for target_field, column in zip(self.fields, field_values, strict=True):
                if column is None:
                    values.append(self.constants.get(target_field.name))
                    continue
                try:
                    value = typed_value(column[position], target_field.kind)
                except ValueError as error:
                    problem = f"{target_field.name}: {error}"
                    break
                if value is None and target_field.required:
                    problem = f"{target_field.name} is empty (source field {self.mapping[target_field.name]!r})"
                    break
                values.append(value)
            if problem is not None:
                log.add("rejected", batch.fids[position], references[position], problem)
                continue
            attributes = {
                name: json_value(column[position])
                for name, column in zip(self.attribute_columns, attribute_values, strict=True)
                if column[position] is not None
            }
            yield (
                first_index + int(position),
                int(batch.fids[position]),
                references[position],
                geometry_hex,
                json.dumps(attributes, ensure_ascii=False, default=str),
                *values,
            )


def _progress(request: ImportRequest, total: int | None) -> tqdm:
    enabled = sys.stderr.isatty() if request.progress is None else request.progress
    return tqdm(total=total, disable=not enabled, file=sys.stderr, unit=" features", desc=request.target)


def _run_in_transaction(target: Target, request: ImportRequest, summary: ImportSummary, log: IssueLog) -> None:
    source = describe_source(request.path, request.layer, request.srid)
    summary.layer = source.layer
    summary.source_srid = source.srid
    mapping = resolve_mapping(target, request, source.fields)
    target.check_options(request)
    writer = _BatchWriter(target, source, mapping, request)
    raw_cursor = connection.cursor().cursor  # psycopg 3 cursor of Django's connection
    staging = Staging(raw_cursor, target.fields, log)
    staging.create()
    batch_size = int(getattr(settings, "GIS_IMPORT_BATCH_SIZE", 20_000))
    with (
        _progress(request, source.feature_count) as bar,
        read_batches(source, columns=writer.source_columns, batch_size=batch_size) as batches,
    ):
        for batch in batches:
            staging.copy_rows(writer.rows(batch, log))
            summary.read += len(batch)
            bar.update(len(batch))
    staging.analyze()
    counts = target.apply(staging=staging, request=request)
    staging.drop()
    summary.inserted, summary.updated = counts.inserted, counts.updated


def import_layer(request: ImportRequest, targets: Mapping[str, Target]) -> ImportSummary:
    """Run one import in one transaction and record its `ImportRun`; raise ImportInputError or ImportAborted."""
    target = targets.get(request.target)
    if target is None:
        raise ImportInputError(f"unknown target {request.target!r}; choose one of: {', '.join(sorted(targets))}")
    started = timezone.now()
    clock = time.monotonic()
    summary = ImportSummary(
        target=target.name, source=str(request.path), layer=request.layer or "", source_srid=None, status=""
    )
    log = IssueLog()
    error: BaseException | None = None
    try:
        with transaction.atomic():
            _run_in_transaction(target, request, summary, log)
            summary.status = ImportStatus.DRY_RUN if request.dry_run else ImportStatus.SUCCEEDED
            if not request.dry_run:
                _save_run(summary, log, request, started, clock)
            else:
                raise _DryRunRollback
    except _DryRunRollback:
        _save_run(summary, log, request, started, clock)
    except (ImportInputError, DatabaseError, psycopg.Error, OSError, ValueError, RuntimeError) as failure:
        error = failure
        summary.status = ImportStatus.FAILED
        summary.error = str(failure).strip()
        summary.inserted = summary.updated = 0
        _save_run(summary, log, request, started, clock)
    if error is not None:
        if isinstance(error, ImportInputError):
            raise ImportInputError(f"{error} (nothing was imported; ImportRun {summary.run_id})") from error
        raise ImportAborted(
            f"import failed and was rolled back: {summary.error} (ImportRun {summary.run_id})", summary.run_id
        ) from error
    return summary


def _save_run(summary: ImportSummary, log: IssueLog, request: ImportRequest, started: datetime, clock: float) -> None:
    summary.repaired, summary.rejected, summary.issues = log.repaired, log.rejected, log.issues
    summary.seconds = time.monotonic() - clock
    options = {key: str(value) for key, value in request.options.items() if value not in (None, "", False)}
    options.update({f"map.{key}": value for key, value in request.mapping.items()})
    options.update({f"set.{key}": value for key, value in request.constants.items()})
    run = ImportRun.objects.create(
        target=summary.target,
        source=summary.source[:1000],
        layer=summary.layer[:200],
        source_srid=summary.source_srid,
        options=options,
        status=summary.status,
        started_at=started,
        finished_at=timezone.now(),
        read=summary.read,
        inserted=summary.inserted,
        updated=summary.updated,
        repaired=summary.repaired,
        rejected=summary.rejected,
        issues=summary.issues,
        error=summary.error,
    )
    summary.run_id = run.pk
