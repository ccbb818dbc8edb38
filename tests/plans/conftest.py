"""Fixtures of the plan review tests: the permits API's clients, commune and staff; a file under instruction with
an A1 plan (two pages), the member of the agency it was dispatched to, and one of an agency it was not."""

import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from pypdf import PdfWriter

from permits import services
from permits.models import DossierDocument, DossierStatus
from tests.factories import AgencyFactory
from tests.permits.factories import ADDRESS, DossierFactory, advance, member_for, upload_file
from tests.permits_api.conftest import (  # noqa: F401 - clients, the commune and its staff, documents under tmp_path
    as_session,
    as_token,
    celery_in_process,
    commune,
    documents_storage_dir,
    fresh_cache,
    staff,
)

A1_LANDSCAPE = (2383.94, 1683.78)  # 841 x 594 mm in points
A4_PORTRAIT = (595.0, 842.0)


def plan_pdf(*pages: tuple[float, float]) -> bytes:
    """A PDF of blank pages of these sizes (points)."""
    writer = PdfWriter()
    for width, height in pages:
        writer.add_blank_page(width=width, height=height)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def plan_upload(
    dossier: Any, content: bytes, *, supersedes: DossierDocument | None = None, document_type: str = ""
) -> DossierDocument:
    """Upload `content` as the applicant: a new plan (`other`), or a revised plan when it `supersedes` one."""
    return services.document_upload(
        actor=dossier.applicant,
        address=ADDRESS,
        dossier=dossier,
        document_type=document_type or ("revised-plan" if supersedes is not None else "other"),
        uploaded_file=upload_file("plan.pdf", content),
        supersedes=supersedes,
    )


@pytest.fixture
def reviewed(commune: Any, staff: dict[str, User]) -> dict[str, Any]:  # noqa: F811 - the imported fixtures
    """A file under instruction whose applicant uploaded a two-page plan (A1 landscape, A4) while it was a draft."""
    dossier = DossierFactory.create(commune=commune)
    plan = plan_upload(dossier, plan_pdf(A1_LANDSCAPE, A4_PORTRAIT))
    advance(dossier, DossierStatus.UNDER_INSTRUCTION)
    consultation = dossier.consultations.select_related("agency").first()
    assert consultation is not None
    return {
        "dossier": dossier,
        "plan": plan,
        "member": member_for(consultation.agency),
        "other_member": member_for(AgencyFactory.create(code="NOT-DISPATCHED")),
        **staff,
    }
