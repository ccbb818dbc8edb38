"""A procedure's own form: the field declarations of the catalogue (`Procedure.form_fields`) and the one validator of
a file's answers, used by the wizard's form and by the API alike.

A declaration is a list of fields, each a mapping:

    key            the answer's name (a slug)
    type           integer | decimal | text | choice | boolean | date | activity | parent_file
    label_fr/ar/en, help_fr/ar/en
    required       true: the file cannot be filed without it
    required_when  {field: <key>, values: [...]}: required when that answer has one of the values (any value when
                   `values` is absent)
    min, max       integer and decimal (a date: "today" as max refuses a future date); text: max is its length
    unit           shown after a number (m, m², kW...)
    choices        choice: [{value, label_fr, label_ar, label_en}]
    column         the typed column of the file the answer is copied to, where geometry, dispatch or the public
                   views need it (`COLUMNS`); an `activity` answer fills `activity` and the activity's `use`

`answers_clean` coerces what a form or a JSON body sent (strings, numbers, booleans), refuses anything the
declaration does not allow with one message per field in the active language, and returns the answers as stored
(JSON: numbers, booleans, ISO dates, codes). `complete=False` (a draft saved through the API) checks only what was
given; `complete=True` (the wizard's step, and filing) also asks for every required answer.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from permits.errors import BadInput

FIELD_TYPES = ("integer", "decimal", "text", "choice", "boolean", "date", "activity", "parent_file")
# The typed columns of a file an answer may fill, and the types that may fill them.
COLUMNS: dict[str, tuple[str, ...]] = {
    "height_m": ("decimal", "integer"),
    "floors": ("integer",),
    "gross_floor_area_m2": ("decimal", "integer"),
    "units": ("integer",),
    "establishment_class": ("choice", "integer"),
}
TEXT_MAX_LENGTH = 500
DECLARATION_KEYS = frozenset(
    {
        "key",
        "type",
        "label_fr",
        "label_ar",
        "label_en",
        "help_fr",
        "help_ar",
        "help_en",
        "required",
        "required_when",
        "min",
        "max",
        "unit",
        "choices",
        "column",
    }
)


class DeclarationError(ValueError):
    """A procedure's `form_fields` contradicts itself (unknown type, a condition on an unknown field...)."""


class InvalidAnswers(BadInput):
    """Answers the procedure's form refuses; `errors` maps each field's key to its messages (active language)."""

    title = "Invalid answers"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        detail = "; ".join(f"{key}: {' '.join(messages)}" for key, messages in errors.items())
        super().__init__(detail, errors=errors)
        self.errors = errors


@dataclass(frozen=True)
class Choice:
    value: str
    labels: dict[str, str]


@dataclass(frozen=True)
class FormField:
    """One declared field of a procedure's form."""

    key: str
    type: str
    labels: dict[str, str]
    helps: dict[str, str] = field(default_factory=dict)
    required: bool = False
    required_when: dict[str, Any] | None = None
    minimum: Any = None
    maximum: Any = None
    unit: str = ""
    choices: tuple[Choice, ...] = ()
    column: str = ""

    @property
    def label(self) -> str:
        """The label in the active language (French when it has none)."""
        return _localized(self.labels) or self.key

    @property
    def help(self) -> str:
        return _localized(self.helps)

    def choice_label(self, value: Any) -> str:
        """A value in words: a choice's label, yes or no, else the value itself."""
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        for choice in self.choices:
            if choice.value == str(value):
                return _localized(choice.labels) or choice.value
        return str(value)


def _localized(labels: Mapping[str, str]) -> str:
    language = (get_language() or "fr").split("-")[0]
    return labels.get(language) or labels.get("fr") or labels.get("en") or ""


def _texts(data: Mapping[str, Any], prefix: str) -> dict[str, str]:
    return {
        language: str(data[f"{prefix}_{language}"])
        for language in ("fr", "ar", "en")
        if data.get(f"{prefix}_{language}")
    }


def declaration_parse(declaration: Iterable[Mapping[str, Any]], *, where: str = "form_fields") -> list[FormField]:
    """The typed fields of a declaration; `DeclarationError` naming the first contradiction."""
    fields: list[FormField] = []
    keys: set[str] = set()
    for position, data in enumerate(declaration or []):
        if not isinstance(data, Mapping):
            raise DeclarationError(f"{where}[{position}]: a field is a mapping")
        key = str(data.get("key", ""))
        if not key or slugify(key).replace("-", "_") != key:
            raise DeclarationError(f"{where}[{position}]: the key {key!r} must be a lower-case slug (a_z, 0-9, _)")
        if key in keys:
            raise DeclarationError(f"{where}: the key {key} is declared twice")
        unknown = set(data) - DECLARATION_KEYS
        if unknown:
            raise DeclarationError(f"{where}.{key}: unknown attributes {', '.join(sorted(unknown))}")
        kind = data.get("type")
        if kind not in FIELD_TYPES:
            raise DeclarationError(f"{where}.{key}: type {kind!r} is not one of {', '.join(FIELD_TYPES)}")
        if not data.get("label_fr"):
            raise DeclarationError(f"{where}.{key}: label_fr is required")
        choices = tuple(
            Choice(value=str(choice["value"]), labels=_texts(choice, "label")) for choice in data.get("choices") or []
        )
        if kind == "choice" and not choices:
            raise DeclarationError(f"{where}.{key}: a choice field lists its choices")
        column = str(data.get("column", ""))
        if column and kind not in COLUMNS.get(column, ()):
            raise DeclarationError(f"{where}.{key}: a {kind} answer cannot fill the column {column!r}")
        condition = data.get("required_when")
        if condition is not None:
            if not isinstance(condition, Mapping) or condition.get("field") not in keys:
                raise DeclarationError(f"{where}.{key}: required_when names a field declared before it")
            condition = {"field": condition["field"], "values": [str(value) for value in condition.get("values", [])]}
        fields.append(
            FormField(
                key=key,
                type=kind,
                labels=_texts(data, "label"),
                helps=_texts(data, "help"),
                required=bool(data.get("required", False)),
                required_when=condition,
                minimum=data.get("min"),
                maximum=data.get("max"),
                unit=str(data.get("unit", "")),
                choices=choices,
                column=column,
            )
        )
        keys.add(key)
    return fields


def procedure_form(procedure: Any) -> list[FormField]:
    """The declared fields of `procedure` (empty: the procedure uses the building parameters)."""
    return declaration_parse(procedure.form_fields or [], where=f"{procedure.code}.form_fields")


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(spec: FormField, value: Any) -> int | float:
    if isinstance(value, bool):
        raise ValueError
    text = str(value).strip().replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation as error:
        raise ValueError from error
    if not number.is_finite():
        raise ValueError
    if spec.type == "integer":
        if number != number.to_integral_value():
            raise ValueError
        return int(number)
    return float(number)


def _range_errors(spec: FormField, number: int | float) -> list[str]:
    unit = f" {spec.unit}" if spec.unit else ""
    if spec.minimum is not None and number < spec.minimum:
        return [_("Enter at least %(limit)s.") % {"limit": f"{spec.minimum}{unit}"}]
    if spec.maximum is not None and number > spec.maximum:
        return [_("Enter at most %(limit)s.") % {"limit": f"{spec.maximum}{unit}"}]
    return []


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on", "oui"):
        return True
    if text in ("false", "0", "no", "off", "non"):
        return False
    raise ValueError


def _date(spec: FormField, value: Any) -> tuple[str | None, list[str]]:
    try:
        day = value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        return None, [_("Enter a date as YYYY-MM-DD.")]
    if spec.maximum == "today" and day > timezone.localdate():
        return None, [_("The date cannot be in the future.")]
    if spec.minimum and spec.minimum != "today" and day < datetime.date.fromisoformat(str(spec.minimum)):
        return None, [_("The date cannot be before %(date)s.") % {"date": spec.minimum}]
    return day.isoformat(), []


@dataclass
class AnswerContext:
    """What some fields check against: the activity codes of the nomenclature, the parent files the applicant may
    name (their references), both loaded once per validation by `answers_clean`."""

    activities: set[str] = field(default_factory=set)
    parent_references: set[str] = field(default_factory=set)
    parent_procedure: str = ""


def _clean_one(spec: FormField, value: Any, context: AnswerContext) -> tuple[Any, list[str]]:
    """(the stored value, []) or (None, the messages)."""
    if spec.type in ("integer", "decimal"):
        try:
            number = _number(spec, value)
        except ValueError:
            return None, [_("Enter a whole number.") if spec.type == "integer" else _("Enter a number.")]
        errors = _range_errors(spec, number)
        return (None, errors) if errors else (number, [])
    if spec.type == "text":
        if not isinstance(value, str):
            return None, [_("Enter a text.")]
        text = value.strip()
        limit = int(spec.maximum or TEXT_MAX_LENGTH)
        if len(text) > limit:
            return None, [_("Enter at most %(count)s characters.") % {"count": limit}]
        if "\x00" in text:
            return None, [_("Enter a text.")]
        return text, []
    if spec.type == "choice":
        allowed = [choice.value for choice in spec.choices]
        if str(value).strip() not in allowed or isinstance(value, (bool, list, dict)):
            return None, [_("Choose one of the values offered.")]
        return str(value).strip(), []
    if spec.type == "boolean":
        try:
            return _boolean(value), []
        except ValueError:
            return None, [_("Answer yes or no.")]
    if spec.type == "date":
        return _date(spec, value)
    if spec.type == "activity":
        code = str(value).strip().lower()
        if isinstance(value, (bool, list, dict)) or code not in context.activities:
            return None, [_("Choose an activity of the nomenclature.")]
        return code, []
    # parent_file
    reference = str(value).strip()
    if isinstance(value, (bool, list, dict)) or reference not in context.parent_references:
        return None, [_("Give the reference of one of your authorised files this one follows.")]
    return reference, []


def _condition_holds(condition: Mapping[str, Any], cleaned: Mapping[str, Any]) -> bool:
    value = cleaned.get(condition["field"])
    if _is_blank(value) or value is False:
        return False
    values = condition.get("values") or []
    return not values or str(value) in values


def answer_required(spec: FormField, answers: Mapping[str, Any]) -> bool:
    """Whether `spec` must be answered, given the other (cleaned) answers."""
    return spec.required or (spec.required_when is not None and _condition_holds(spec.required_when, answers))


def _context(fields: list[FormField], procedure: Any, applicant: Any) -> AnswerContext:
    from permits.models import EconomicActivity  # the models import nothing of this module; loaded on use

    context = AnswerContext()
    if any(spec.type == "activity" for spec in fields):
        context.activities = set(EconomicActivity.objects.values_list("code", flat=True))
    if any(spec.type == "parent_file" for spec in fields) and applicant is not None:
        from permits.services.filing import linkable_parents_of

        context.parent_references = {
            reference
            for reference in linkable_parents_of(applicant=applicant)
            .filter(procedure_id=procedure.parent_id)
            .values_list("reference", flat=True)
            if reference
        }
    return context


def answers_clean(
    *, procedure: Any, answers: Mapping[str, Any] | None, applicant: Any = None, complete: bool = True
) -> dict[str, Any]:
    """The answers as stored, or `InvalidAnswers` with every field's messages (nothing is saved by the caller)."""
    fields = procedure_form(procedure)
    answers = answers or {}
    errors: dict[str, list[str]] = {}
    if not isinstance(answers, Mapping):
        raise InvalidAnswers({"answers": [_("The answers are a mapping of field keys to values.")]})
    known = {spec.key for spec in fields}
    for key in sorted(set(answers) - known):
        errors[str(key)[:64]] = [_("This procedure's form has no such field.")]
    context = _context(fields, procedure, applicant)
    cleaned: dict[str, Any] = {}
    for spec in fields:
        value = answers.get(spec.key)
        if _is_blank(value):
            continue
        stored, messages = _clean_one(spec, value, context)
        if messages:
            errors[spec.key] = messages
        else:
            cleaned[spec.key] = stored
    if complete:
        for spec in fields:
            if spec.key in cleaned or spec.key in errors:
                continue
            if spec.required:
                errors[spec.key] = [_("This answer is required.")]
            elif spec.required_when is not None and _condition_holds(spec.required_when, cleaned):
                other = next(item for item in fields if item.key == spec.required_when["field"])
                errors[spec.key] = [
                    _("This answer is required when “%(field)s” is “%(value)s”.")
                    % {"field": other.label, "value": other.choice_label(cleaned[other.key])}
                ]
    if errors:
        raise InvalidAnswers(errors)
    return cleaned


def answers_columns(*, procedure: Any, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The typed columns the answers fill (`column` of each field; `activity` and its `use` for an activity)."""
    from permits.models import EconomicActivity

    columns: dict[str, Any] = {}
    for spec in procedure_form(procedure):
        value = answers.get(spec.key)
        if spec.column:
            columns[spec.column] = (
                None
                if value is None
                else (int(value) if spec.column in ("floors", "units", "establishment_class") else value)
            )
        if spec.type == "activity":
            columns["activity"] = value or ""
            use = EconomicActivity.objects.filter(code=value).values_list("use", flat=True).first() if value else ""
            columns["use"] = use or ""
    return columns


def answers_display(*, procedure: Any, answers: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The answers as rows to show (label, value in words, unit), in the declaration's order; unanswered skipped."""
    from permits.models import EconomicActivity

    rows = []
    labels: dict[str, str] = {}
    fields = procedure_form(procedure)
    if any(spec.type == "activity" for spec in fields):
        labels = {
            activity.code: _localized({"fr": activity.label_fr, "ar": activity.label_ar, "en": activity.label_en})
            for activity in EconomicActivity.objects.all()
        }
    for spec in fields:
        value: Any = answers.get(spec.key)
        if _is_blank(value):
            continue
        if spec.type in ("choice", "boolean"):
            shown = spec.choice_label(value)
        elif spec.type == "activity":
            shown = f"{labels.get(value, value)} ({value})"
        elif spec.type in ("integer", "decimal"):
            number = int(value) if float(value).is_integer() else value
            shown = formats.number_format(number, use_l10n=True)
        else:
            shown = str(value)
        rows.append({"key": spec.key, "label": spec.label, "value": shown, "unit": spec.unit, "raw": value})
    return rows


def required_when_holds(condition: Mapping[str, Any] | None, answers: Mapping[str, Any]) -> bool:
    """A required document's condition (`RequiredDocument.required_when`) on the file's answers; none: True."""
    if not condition:
        return True
    return _condition_holds(
        {"field": condition.get("field"), "values": [str(v) for v in condition.get("values", [])]}, answers
    )
