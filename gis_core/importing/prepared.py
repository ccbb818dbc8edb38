"""A batch ready to load (`PreparedBatch`) and its encoding as PostgreSQL binary COPY rows, vectorised.

The pipeline turns each source batch into columns (numpy and Arrow arrays, one value per kept feature); a sink
(the staging table, or a target's direct load) picks the columns it needs and sends them with `copy_rows`.
Rows are built with Arrow kernels, not a Python loop per row: every value is a 4-byte big-endian length
(-1 for NULL) and its bytes in the type's binary form (int8/float8 big-endian, text as UTF-8, geometry as
(E)WKB, jsonb as version 1 + JSON text, timestamptz as microseconds since 2000-01-01).
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
COPY_TRAILER = struct.pack(">h", -1)
POSTGRES_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


class ColumnType(enum.StrEnum):
    """How a column's values are encoded for binary COPY."""

    BIGINT = "bigint"
    FLOAT = "double precision"
    TEXT = "text"
    GEOMETRY = "geometry"  # (E)WKB bytes
    JSONB = "jsonb"  # JSON text
    TIMESTAMPTZ = "timestamptz"


@dataclass
class PreparedBatch:
    """The kept features of one source batch, as columns aligned with each other."""

    feature_index: np.ndarray  # int64, order in the source
    feature_fid: np.ndarray  # int64
    feature_reference: pa.Array  # string (null when the target has no reference)
    geometry_wkb: pa.Array  # binary: WKB (SRID from the column) or EWKB
    area_m2: np.ndarray  # float64, geodesic area of the geometry on the WGS84 ellipsoid
    attributes: pa.Array | None  # string (JSON objects); None: every feature has `{}`
    fields: dict[str, pa.Array] = field(default_factory=dict)  # target field -> typed values (string/float/int)
    bounds: tuple[float, float, float, float] | None = None  # lon/lat box of the geometries

    def __len__(self) -> int:
        return len(self.feature_index)


def _fixed_width(values: np.ndarray, width: int) -> pa.Array:
    """Big-endian bytes of a numpy array, `width` bytes per value, as an Arrow binary array."""
    raw = np.ascontiguousarray(values).tobytes()
    fixed = pa.FixedSizeBinaryArray.from_buffers(pa.binary(width), len(values), [None, pa.py_buffer(raw)])
    return fixed.cast(pa.binary())


def _variable(values: pa.Array, prefix: bytes = b"") -> tuple[np.ndarray, pa.Array]:
    """(lengths, bytes) of a string or binary column; NULL has length -1 and no bytes."""
    binary = values.cast(pa.binary()) if not pa.types.is_binary(values.type) else values
    if isinstance(binary, pa.ChunkedArray):
        binary = binary.combine_chunks()
    offsets = np.frombuffer(binary.buffers()[1], dtype=np.int32, count=len(binary) + 1, offset=binary.offset * 4)
    lengths = (np.diff(offsets) + len(prefix)).astype(">i4")
    if binary.null_count:
        nulls = np.asarray(binary.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        lengths[nulls] = -1
        binary = binary.fill_null(b"")
        if prefix:
            binary = pc.if_else(
                pa.array(nulls), pa.scalar(b"", pa.binary()), pc.binary_join_element_wise(prefix, binary, b"")
            )
    elif prefix:
        binary = pc.binary_join_element_wise(prefix, binary, b"")
    return lengths, binary


def encode_column(values: pa.Array | np.ndarray, column_type: ColumnType) -> list[pa.Array]:
    """The pieces (length, bytes) of one column for `copy_rows`."""
    count = len(values)
    if column_type in (ColumnType.BIGINT, ColumnType.FLOAT, ColumnType.TIMESTAMPTZ):
        dtype = ">f8" if column_type is ColumnType.FLOAT else ">i8"
        if isinstance(values, np.ndarray):
            numbers, nulls = values, None
        else:
            nulls = (
                np.asarray(values.is_null().to_numpy(zero_copy_only=False), dtype=bool) if values.null_count else None
            )
            arrow_type = pa.float64() if column_type is ColumnType.FLOAT else pa.int64()
            numbers = values.cast(arrow_type).fill_null(0).to_numpy(zero_copy_only=False)
        lengths = np.full(count, 8, dtype=">i4")
        data = _fixed_width(np.asarray(numbers).astype(dtype), 8)
        if nulls is not None and nulls.any():
            lengths[nulls] = -1
            data = pc.if_else(pa.array(nulls), pa.scalar(b"", pa.binary()), data)
        return [_fixed_width(lengths, 4), data]
    if isinstance(values, np.ndarray):
        values = pa.array(values)
    prefix = b"\x01" if column_type is ColumnType.JSONB else b""
    lengths, data = _variable(values, prefix)
    return [_fixed_width(lengths, 4), data]


def constant_column(count: int, value: bytes | None) -> list[pa.Array]:
    """The pieces of a column holding the same already-encoded value (or NULL) in every row."""
    if value is None:
        return [_fixed_width(np.full(count, -1, dtype=">i4"), 4)]
    piece = struct.pack(">i", len(value)) + value
    return [_fixed_width(np.frombuffer(piece * count, dtype=np.uint8).reshape(count, len(piece)), len(piece))]


def encode_bigint(value: int) -> bytes:
    return struct.pack(">q", value)


def encode_timestamptz(value: datetime) -> bytes:
    delta = value - POSTGRES_EPOCH
    return struct.pack(">q", (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds)


def copy_rows(count: int, columns: list[list[pa.Array]]) -> pa.Buffer:
    """Binary COPY rows (no header/trailer) of `count` rows from the columns' pieces, in column order."""
    pieces: list[pa.Array] = [_fixed_width(np.full(count, len(columns), dtype=">i2"), 2)]
    for column in columns:
        pieces.extend(column)
    rows = pc.binary_join_element_wise(*pieces, b"")
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32, count=count + 1, offset=rows.offset * 4)
    data = rows.buffers()[2]
    return data.slice(int(offsets[0]), int(offsets[-1] - offsets[0]))
