"""The annotation's status is written by its machine only, the service refuses a status change from where it cannot
go, and the office page says why a remark with open annotations does not close."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from permits.errors import IllegalTransition
from permits.models import RemarkStatus
from permits.plans import services
from permits.plans.models import AnnotationStatus
from permits.services import remark_reply, remarks_send_to_applicant
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


def test_the_office_page_says_why_a_remark_does_not_close(reviewed: dict[str, Any]) -> None:
    dossier, desk = reviewed["dossier"], reviewed["desk_agent"]
    annotation = services.plan_annotate(
        actor=desk,
        address=ADDRESS,
        document=reviewed["plan"],
        page=1,
        kind="cloud",
        points=[[10, 10], [90, 10], [50, 80]],
    )
    remark = services.plan_annotation_remark(actor=desk, address=ADDRESS, annotation=annotation, text="Recul ?")
    remarks_send_to_applicant(actor=desk, address=ADDRESS, dossier=dossier)
    remark_reply(actor=dossier.applicant, address=ADDRESS, remark=remark.pk, text="Recul de 3 m.")
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(desk)
    page = client.post(
        reverse("web:office-remark-close", args=[dossier.pk, remark.pk]), {"note": "ok"}, follow=True
    ).content.decode()
    assert "Résolvez ou retirez les annotations de cette remarque sur le plan avant de la clore." in page
    remark.refresh_from_db()
    assert remark.status == RemarkStatus.ANSWERED
    services.plan_annotation_update(actor=desk, address=ADDRESS, annotation=annotation, status="resolved")
    client.post(reverse("web:office-remark-close", args=[dossier.pk, remark.pk]), {"note": "ok"})
    remark.refresh_from_db()
    assert remark.status == RemarkStatus.CLOSED
