"""Fixtures of the site inspection tests: the shipped catalogue (occupancy permit and conformity certificate marked
`inspection: required`, with their checklists), the staff of the CASA-ANFA commune with an inspector, an occupancy
permit file under instruction that follows a signed building permit, and photos made here (real JPEGs with EXIF GPS
tags written by Pillow). Documents go under the test's tmp_path, signatures use the session's development PKI and
Celery tasks run in-process (`tests.legal_path`)."""

import io
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from PIL.ExifTags import GPS, Base

from gis_core.signing.pki import DevelopmentPki
from permits.inspections import services
from permits.inspections.models import Inspection, ItemResult
from permits.inspections.services import ItemAnswer
from permits.models import Dossier, Procedure, Role, RoleMembership, UserProfile
from permits.services import procedures_load
from permits.services.filing import dossier_start_linked, dossier_update
from tests.conftest import tasks_eager
from tests.legal_path import legal_path, pki, signing_settings_apply  # noqa: F401 - fixtures
from tests.permits.factories import ADDRESS, DossierFactory, UserFactory, advance, commune_tree, staff_for

CASABLANCA = (33.5893333, -7.62)  # latitude, longitude written in the test photo's EXIF


@pytest.fixture(autouse=True)
def inspection_settings(settings: Any, pki: DevelopmentPki, tmp_path: Path) -> Path:  # noqa: F811
    """Documents under tmp_path, the development PKI and the local TSA."""
    return signing_settings_apply(settings, pki, tmp_path)


@pytest.fixture(autouse=True)
def celery_in_process() -> Iterator[None]:
    with tasks_eager(propagate=True):
        yield


@pytest.fixture
def catalogue(db: Any) -> None:
    procedures_load()


@pytest.fixture
def commune(db: Any) -> Any:
    return commune_tree("CASA-ANFA")


@pytest.fixture
def staff(commune: Any, pki: DevelopmentPki) -> dict[str, Any]:  # noqa: F811
    """The commune's desk agent, president, signing authority and an inspector (with a development certificate)."""
    people = staff_for(commune)
    inspector = UserFactory.create(username="inspector-casa-anfa", first_name="Nadia", last_name="Inspectrice")
    RoleMembership.objects.get_or_create(user=inspector, role=Role.INSPECTOR, territory=commune, agency=None)
    pki.user(inspector.get_username(), display_name=inspector.get_full_name())
    people["inspector"] = inspector
    return people


def occupancy_file(commune: Any, *, code: str = "occupancy-permit") -> Dossier:
    """A file of `code` following a signed building permit, filed, complete and under instruction."""
    parent = DossierFactory.create(
        procedure=Procedure.objects.get(code="building-permit"), commune=commune, signed=True
    )
    UserProfile.objects.update_or_create(
        user=parent.applicant, defaults={"phone": "+212600000001", "notify_by_sms": True, "notify_by_email": True}
    )
    dossier, _created = dossier_start_linked(
        actor=parent.applicant, address=ADDRESS, parent_dossier=parent, procedure=Procedure.objects.get(code=code)
    )
    dossier = dossier_update(  # the linked procedure's own form: the completion date
        actor=parent.applicant, address=ADDRESS, dossier=dossier, answers={"completion_date": "2026-06-30"}
    )
    return advance(dossier, "under_instruction")


@pytest.fixture
def occupancy(catalogue: None, commune: Any, staff: dict[str, Any]) -> Dossier:
    return occupancy_file(commune)


def in_days(days: int, hour: int = 10) -> datetime:
    moment = timezone.localtime(timezone.now() + timedelta(days=days))
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def jpeg_with_gps(latitude: float = CASABLANCA[0], longitude: float = CASABLANCA[1], *, gps: bool = True) -> bytes:
    """A real JPEG (64x48) whose EXIF GPS tags say where it was taken (degrees, minutes, seconds)."""

    def dms(value: float) -> tuple[float, float, float]:
        value = abs(value)
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        return (float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 4))

    image = Image.new("RGB", (64, 48), (140, 110, 80))
    exif = Image.Exif()
    if gps:
        exif[Base.GPSInfo] = {
            GPS.GPSLatitudeRef: "N" if latitude >= 0 else "S",
            GPS.GPSLatitude: dms(latitude),
            GPS.GPSLongitudeRef: "E" if longitude >= 0 else "W",
            GPS.GPSLongitude: dms(longitude),
        }
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def photo_upload(content: bytes | None = None, name: str = "facade.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content if content is not None else jpeg_with_gps(), content_type="image/jpeg")


def confirmed_inspection(dossier: Dossier, staff: dict[str, Any]) -> Inspection:
    inspection = services.inspection_propose(
        actor=staff["desk_agent"], address=ADDRESS, dossier=dossier, starts_at=in_days(3)
    )
    return services.inspection_confirm(actor=dossier.applicant, address=ADDRESS, inspection=inspection)


def all_conform(dossier: Dossier) -> dict[str, ItemAnswer]:
    codes = dossier.procedure.inspection_checklist.values_list("code", flat=True)
    return {code: ItemAnswer(ItemResult.CONFORM, "") for code in codes}


def closed_inspection(
    dossier: Dossier, staff: dict[str, Any], *, verdict: str = "conform", deviations: str = ""
) -> Inspection:
    """Proposed, confirmed, every item answered, the verdict given and the report closed by the inspector."""
    inspection = confirmed_inspection(dossier, staff)
    inspector = staff["inspector"]
    services.inspection_report_save(
        actor=inspector,
        address=ADDRESS,
        inspection=inspection,
        answers=all_conform(dossier),
        verdict=verdict,
        deviations=deviations,
    )
    return services.inspection_close(actor=inspector, address=ADDRESS, inspection=inspection)
