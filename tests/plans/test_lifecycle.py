"""The annotation's status is written by its machine only, and the service refuses a status change from where it
cannot go."""

from typing import Any

import pytest

from permits.errors import IllegalTransition
from permits.plans import services
from permits.plans.models import AnnotationStatus
from tests.permits.factories import ADDRESS
from tests.permits.lifecycle import assert_status_written_by_machine_only

pytestmark = pytest.mark.django_db


def test_only_the_machine_writes_an_annotation_status(reviewed: dict[str, Any]) -> None:
    desk = reviewed["desk_agent"]
    annotation = services.plan_annotate(
        actor=desk, address=ADDRESS, document=reviewed["plan"], page=2, kind="line", points=[[0, 0], [10, 10]]
    )
    assert annotation.colour == "#1d4ed8" and annotation.author_role == "desk"
    assert_status_written_by_machine_only(annotation, AnnotationStatus.RESOLVED)
    withdrawn = services.plan_annotation_withdraw(actor=desk, address=ADDRESS, annotation=annotation)
    assert withdrawn.status == AnnotationStatus.WITHDRAWN
    with pytest.raises(IllegalTransition):
        services.plan_annotation_withdraw(actor=desk, address=ADDRESS, annotation=annotation)
