"""The import pipeline: read a layer in batches, check and reproject, repair, COPY to staging, let the target upsert.

`import_layer(request, targets)` is the one entry point (the `import_layer` command and `load_demo` call it):

1. describe the source (layer, CRS; a source without CRS needs an SRID) and resolve the field mapping;
2. per batch of `GIS_IMPORT_BATCH_SIZE` features: refuse coordinates that cannot be in the source CRS,
   reproject to WGS84 with pyproj (vectorised), apply the repair policy (`clean_polygons`), compute the geodesic
   area, convert the mapped values (Arrow kernels, `convert`), and send the kept rows by binary COPY
   (`prepared`) into a TEMP staging table; memory stays flat whatever the file size. Unchanged geometries keep
   their source WKB bytes; the COPY is written by a background thread so that the server ingests one batch
   while the next one is prepared (two cores);
3. the target resolves, rejects, deduplicates and upserts with its own SQL. A target may instead take the
   batches itself (`Target.direct_load`, the bulk path of a first load, see `parcels.importers.parcels`).

Everything runs in ONE transaction: a failure rolls it all back. The `ImportRun` summary is saved with the data
on success, and after the rollback for a dry run or a failure. A successful run publishes `LayerImported`
(`events`), delivered to the faces' subscribers once it commits.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, overload

import numpy as np
import psycopg
import pyarrow as pa
import shapely
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from pyproj import CRS, Transformer
from tqdm import tqdm

from gis_core.events import event_publish
from gis_core.geometry import (
    BatchResult,
    CoordinatesOutsideCrs,
    check_coordinates_in_crs,
    clean_polygons,
    geodesic_areas,
)
from gis_core.importing.convert import attributes_column, json_value, text_column, text_value, typed_column, typed_value
from gis_core.importing.errors import ImportAborted, ImportInputError
from gis_core.importing.events import BBox, LayerImported, bbox_union
from gis_core.importing.fields import TargetField
from gis_core.importing.prepared import PreparedBatch
from gis_core.importing.source import Batch, SourceLayer, describe_source, read_batches
from gis_core.importing.staging import IssueLog, Staging
from gis_core.importing.targets import BatchSink, ImportRequest, Target
from gis_core.models import ImportRun, ImportStatus
from gis_core.srid import STORAGE_SRID, crs_for

__all__ = ["ImportSummary", "import_layer", "json_value", "resolve_mapping", "text_value", "typed_value"]


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
    bbox: BBox | None = None  # lon/lat box of the kept features

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


Issue = tuple[str, int, str | None, str]  # (action, feature id, reference, reason), as `IssueLog.add` takes them


class _FeatureLabels(Sequence[str]):
    """Names of a batch's features for error messages (`fid (reference)`), computed only when one is reported."""

    def __init__(self, fids: np.ndarray, references: pa.Array) -> None:
        self.fids = fids
        self.references = references

    def __len__(self) -> int:
        return len(self.fids)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[position] for position in range(*index.indices(len(self)))]
        reference = self.references[int(index)].as_py()
        return f"{self.fids[index]}" + (f" ({reference})" if reference else "")


def _is_plain_multipolygon_wkb(wkb: pa.Array) -> np.ndarray:
    """Which WKB values are 2D MultiPolygons (ISO/OGC type 6, either byte order): sent to PostGIS as they are."""
    if isinstance(wkb, pa.ChunkedArray):
        wkb = wkb.combine_chunks()
    count = len(wkb)
    if not count or not pa.types.is_binary(wkb.type):
        return np.zeros(count, dtype=bool)
    offsets = np.frombuffer(wkb.buffers()[1], dtype=np.int32, count=count + 1, offset=wkb.offset * 4)
    data = np.frombuffer(wkb.buffers()[2], dtype=np.uint8)
    starts = offsets[:-1]
    long_enough = np.diff(offsets) >= 9
    header = np.zeros((count, 5), dtype=np.uint8)
    header[long_enough] = data[starts[long_enough, None] + np.arange(5)]
    little = (header[:, 0] == 1) & (header[:, 1] == 6) & (header[:, 2:] == 0).all(axis=1)
    big = (header[:, 0] == 0) & (header[:, 1:4] == 0).all(axis=1) & (header[:, 4] == 6)
    result: np.ndarray = long_enough & (little | big)
    if wkb.null_count:
        result &= ~np.asarray(wkb.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    return result


class _BatchWriter:
    """Turns source batches into `PreparedBatch`es; holds the per-run state (CRS, transformer, constants)."""

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
        self.reprojects = not self.crs.equals(crs_for(STORAGE_SRID))
        self._per_thread = threading.local()  # pyproj transformers are not thread-safe: one per thread
        self.index = 0

    @property
    def source_columns(self) -> list[str]:
        return sorted(set(self.mapping.values()) | set(self.attribute_columns))

    def take_indexes(self, count: int) -> int:
        """The index in the source of the first feature of the next batch of `count` features."""
        first_index = self.index
        self.index += count
        return first_index

    def reproject(self, geometries: np.ndarray) -> np.ndarray:
        if not self.reprojects:
            return geometries
        transformer: Transformer | None = getattr(self._per_thread, "transformer", None)
        if transformer is None:
            transformer = Transformer.from_crs(self.crs, crs_for(STORAGE_SRID), always_xy=True)
            self._per_thread.transformer = transformer

        def transform(coordinates: np.ndarray) -> np.ndarray:
            x, y = transformer.transform(coordinates[:, 0], coordinates[:, 1])
            return np.column_stack([x, y])

        return shapely.transform(geometries, transform)

    def _references(self, batch: Batch) -> pa.Array:
        reference_source = self.mapping.get(self.target.reference_field or "")
        if reference_source:
            return text_column(batch.columns[reference_source])
        constant = self.constants.get(self.target.reference_field or "")
        return pa.array([None if constant is None else str(constant)] * len(batch), pa.string())

    def prepare(self, batch: Batch, first_index: int) -> tuple[PreparedBatch | None, list[Issue]]:
        """Check, reproject, repair and convert one batch: (the kept rows or None, the repairs and rejections).

        Thread-safe: batches are prepared on worker threads, their issues logged in source order by the caller.
        """
        issues: list[Issue] = []
        references = self._references(batch)
        wkb = batch.wkb
        geometries = shapely.from_wkb(np.asarray(wkb.to_numpy(zero_copy_only=False), dtype=object), on_invalid="ignore")
        higher = shapely.has_z(geometries) | shapely.has_m(geometries)
        if higher.any():
            geometries[higher] = shapely.force_2d(geometries[higher])
        try:
            check_coordinates_in_crs(geometries, self.crs, _FeatureLabels(batch.fids, references))
        except CoordinatesOutsideCrs as error:
            raise ImportInputError(str(error)) from error
        cleaned = clean_polygons(self.reproject(geometries), keep_non_polygonal=self.target.keep_non_polygonal)
        reference_list: list[str | None] | None = None
        if cleaned.repaired or cleaned.rejected:
            reference_list = references.to_pylist()
        for action, outcomes in (("repaired", cleaned.repaired), ("rejected", cleaned.rejected)):
            for position, reason in outcomes:
                reference = reference_list[position] if reference_list else None
                issues.append((action, int(batch.fids[position]), reference, reason))
        kept = np.flatnonzero(cleaned.kept)
        if not len(kept):
            return None, issues
        fields, kept = self._fields(batch, references, kept, issues)
        if not len(kept):
            return None, issues
        positions = pa.array(kept)
        west, south, east, north = (float(value) for value in shapely.total_bounds(cleaned.geometries[kept]))
        prepared = PreparedBatch(
            feature_index=first_index + kept,
            feature_fid=np.asarray(batch.fids, dtype=np.int64)[kept],
            feature_reference=references.take(positions),
            geometry_wkb=self._geometry_wkb(wkb, cleaned, kept),
            area_m2=geodesic_areas(cleaned.geometries[kept], cleaned.planar_areas[kept]),
            attributes=attributes_column(
                {name: batch.columns[name].take(positions) for name in self.attribute_columns}, self.attribute_columns
            ),
            fields={name: values.take(positions) for name, values in fields.items()},
            bounds=(west, south, east, north),
        )
        return prepared, issues

    def _fields(
        self, batch: Batch, references: pa.Array, kept: np.ndarray, issues: list[Issue]
    ) -> tuple[dict[str, pa.Array], np.ndarray]:
        """The typed target fields of the whole batch, and the kept positions less those whose values are refused."""
        problems: dict[int, str] = {}
        values: dict[str, pa.Array] = {}
        for target_field in self.fields:
            if target_field.name not in self.mapping:
                constant = self.constants.get(target_field.name)
                arrow_type = {"text": pa.string(), "float": pa.float64(), "integer": pa.int64()}[target_field.kind]
                values[target_field.name] = pa.array([constant] * len(batch), arrow_type)
                continue
            source_field = self.mapping[target_field.name]
            column, refused = typed_column(batch.columns[source_field], target_field.kind)
            values[target_field.name] = column
            for position, reason in refused.items():
                problems.setdefault(position, f"{target_field.name}: {reason}")
            if target_field.required and column.null_count:
                empty = np.flatnonzero(np.asarray(column.is_null().to_numpy(zero_copy_only=False), dtype=bool))
                for position in empty.tolist():
                    if position not in refused:
                        problems.setdefault(position, f"{target_field.name} is empty (source field {source_field!r})")
        if problems:
            refused_kept = [position for position in kept.tolist() if position in problems]
            for position in refused_kept:
                issues.append(("rejected", int(batch.fids[position]), references[position].as_py(), problems[position]))
            kept = np.setdiff1d(kept, np.array(refused_kept, dtype=kept.dtype), assume_unique=True)
        return values, kept

    def _geometry_wkb(self, wkb: pa.Array, cleaned: BatchResult, kept: np.ndarray) -> pa.Array:
        """WKB of the kept geometries: the source's own bytes when the geometry is unchanged, else re-encoded."""
        reuse = np.zeros(len(kept), dtype=bool)
        if not self.reprojects:
            reuse = cleaned.unchanged[kept] & _is_plain_multipolygon_wkb(wkb)[kept]
        if reuse.all():
            return wkb.take(pa.array(kept)).cast(pa.binary())
        encoded = shapely.to_wkb(cleaned.geometries[kept[~reuse]])
        if not reuse.any():
            return pa.array(encoded, pa.binary())
        values = np.asarray(wkb.take(pa.array(kept)).to_numpy(zero_copy_only=False), dtype=object)
        values[~reuse] = encoded
        return pa.array(values, pa.binary())


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
    raw_cursor.execute("SET LOCAL synchronous_commit = off")
    direct = target.direct_load(request=request, cursor=raw_cursor, feature_count=source.feature_count)
    staging: Staging | None = None
    if direct is None:
        staging = Staging(raw_cursor, target.fields, log)
        staging.create()
    sink: BatchSink = direct if direct is not None else staging  # type: ignore[assignment]
    batch_size = settings.GIS_IMPORT_BATCH_SIZE
    workers = max(1, settings.GIS_IMPORT_WORKERS)
    with (
        _progress(request, source.feature_count) as bar,
        read_batches(source, columns=writer.source_columns, batch_size=batch_size) as batches,
        sink.copy() as copy,
        ThreadPoolExecutor(max_workers=workers, thread_name_prefix="import-prepare") as pool,
    ):
        # Up to `workers` batches are prepared at once (shapely, numpy and Arrow release the GIL) while the COPY
        # thread sends the previous ones; results are taken in source order, so issues, counts and errors are too.
        pending: deque[tuple[Future[tuple[PreparedBatch | None, list[Issue]]], int]] = deque()

        def take_oldest() -> None:
            future, count = pending.popleft()
            prepared, issues = future.result()
            for issue in issues:
                log.add(*issue)
            if prepared is not None:
                copy(prepared)
                summary.bbox = bbox_union(summary.bbox, prepared.bounds)
            summary.read += count
            bar.update(count)

        try:
            for batch in batches:
                pending.append((pool.submit(writer.prepare, batch, writer.take_indexes(len(batch))), len(batch)))
                while len(pending) > workers:
                    take_oldest()
            while pending:
                take_oldest()
        finally:
            for future, _ in pending:
                future.cancel()
    if direct is not None:
        counts = direct.finish(log)
    else:
        assert staging is not None
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
                _announce(summary)
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


def _announce(summary: ImportSummary) -> None:
    """Tell the subscribers (tiles, WMS/WMTS, OGC API) once the import commits (`gis_core.importing.events`)."""
    assert summary.run_id is not None
    event_publish(
        event=LayerImported(
            target=summary.target,
            run_id=summary.run_id,
            inserted=summary.inserted,
            updated=summary.updated,
            bbox=summary.bbox if summary.inserted or summary.updated else None,
        )
    )


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
