"""Source values to target values, one Arrow column at a time: text, typed numbers and the JSON of attributes.

The per-value rules (`text_value`, `typed_value`, `json_value`) define the semantics; the column functions apply
them with Arrow kernels for the common column types (strings, integers, floats, booleans, dates) and fall back to
the per-value rules, value by value, for anything else. Both paths give the same results.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gis_core.importing.fields import FieldKind

# JSON escapes of json.dumps(ensure_ascii=False) that Arrow kernels apply; other control characters go the slow way.
_JSON_ESCAPES = (
    ("\\", "\\\\"),
    ('"', '\\"'),
    ("\n", "\\n"),
    ("\r", "\\r"),
    ("\t", "\\t"),
    ("\b", "\\b"),
    ("\f", "\\f"),
)
_OTHER_CONTROL_CHARACTERS = "[\x00-\x07\x0b\x0e-\x1f]"
_NEEDS_ESCAPE = '["\\\\\x00-\x1f]'


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


def _arrow_type(kind: FieldKind) -> pa.DataType:
    return {FieldKind.TEXT: pa.string(), FieldKind.FLOAT: pa.float64(), FieldKind.INTEGER: pa.int64()}[kind]


def _is_text(column: pa.Array) -> bool:
    return pa.types.is_string(column.type) or pa.types.is_large_string(column.type)


def text_column(column: pa.Array) -> pa.Array:
    """`text_value` of every value, as an Arrow string array."""
    if _is_text(column):
        trimmed = pc.utf8_trim_whitespace(column.cast(pa.string()))
        return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
    if pa.types.is_integer(column.type):
        return column.cast(pa.string())
    return pa.array([text_value(value) for value in column.to_pylist()], pa.string())


def typed_column(column: pa.Array, kind: FieldKind) -> tuple[pa.Array, dict[int, str]]:
    """`typed_value` of every value: (typed Arrow array, {position: reason} of the values that cannot be converted)."""
    if kind is FieldKind.TEXT:
        return text_column(column), {}
    numeric = pa.types.is_integer(column.type) or (pa.types.is_floating(column.type) and kind is FieldKind.FLOAT)
    if numeric:
        numbers = column.cast(pa.float64())
        values = numbers.to_numpy(zero_copy_only=False)
        bad = np.flatnonzero(np.isinf(values))
        problems = {int(position): f"{text_value(values[position])!r} is not a finite number" for position in bad}
        if kind is FieldKind.INTEGER:
            return column.cast(pa.int64()), problems
        return pc.if_else(pc.is_finite(numbers), numbers, pa.scalar(None, pa.float64())), problems
    converted: list[Any] = []
    problems = {}
    for position, value in enumerate(column.to_pylist()):
        try:
            converted.append(typed_value(value, kind))
        except ValueError as error:
            problems[position] = str(error)
            converted.append(None)
    return pa.array(converted, _arrow_type(kind)), problems


def _json_text(column: pa.Array) -> pa.Array | None:
    """JSON of every value (`json.dumps(json_value(v), ensure_ascii=False)`), or None for the slow path."""
    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_date(kind):
        text = column.cast(pa.string())
        if pc.any(pc.match_substring_regex(text, _NEEDS_ESCAPE)).as_py():
            if pc.any(pc.match_substring_regex(text, _OTHER_CONTROL_CHARACTERS)).as_py():
                return None
            for raw, escaped in _JSON_ESCAPES:
                text = pc.replace_substring(text, raw, escaped)
        return pc.binary_join_element_wise('"', text, '"', "")
    if pa.types.is_integer(kind):
        return column.cast(pa.string())
    if pa.types.is_boolean(kind):
        return pc.if_else(column, "true", "false")
    if pa.types.is_floating(kind):
        values = column.cast(pa.float64()).to_numpy(zero_copy_only=False)
        return pa.array([repr(value) if math.isfinite(value) else "null" for value in values.tolist()], pa.string())
    return None


def attributes_column(columns: dict[str, pa.Array], names: Sequence[str]) -> pa.Array | None:
    """JSON objects of the non-null attribute values, `{name: value}` per row; None when there are no attributes."""
    if not names:
        return None
    pieces: list[pa.Array] = []
    for name in names:
        column = columns[name]
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        values = _json_text(column)
        if values is None:
            values = pa.array(
                [None if value is None else json.dumps(json_value(value), ensure_ascii=False, default=str)
                 for value in column.to_pylist()],
                pa.string(),
            )  # fmt: skip
        key = "," + json.dumps(name, ensure_ascii=False) + ":"
        piece = pc.binary_join_element_wise(key, values, "")
        pieces.append(pc.if_else(column.is_null(), "", piece))
    joined = pc.binary_join_element_wise(*pieces, "")
    return pc.binary_join_element_wise("{", pc.utf8_slice_codeunits(joined, 1), "}", "")
