"""The typed errors of the plan PDF functions (`gis_core.problems` maps them to problem+json answers)."""

from gis_core.problems import BadInput


class UnreadablePlan(BadInput):
    """The file is not a PDF that can be opened, or has no such page."""

    status = 422
    title = "Plan cannot be read"


class UnsupportedAnnotation(BadInput):
    """An annotation whose kind or points the PDF writer cannot draw."""

    status = 422
    title = "Annotation cannot be written"
