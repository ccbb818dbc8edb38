"""Documents through the API: a multipart upload (a new immutable version, SHA-256 recorded), the list of
versions, the download (ETag, 304, 404 to whoever may not see the file), refused content as 400 problems with
their code, revised plans attached to a reply, and a footprint read from a GeoJSON or DXF file."""

import hashlib
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pyproj import Transformer

from tests.documents.files import pdf_bytes
from tests.permits.factories import DossierFactory, UserFactory
from tests.permits.test_footprint import dxf_file, dxf_lwpolyline, ring
from tests.permits_api.conftest import assert_problem

pytestmark = pytest.mark.django_db


def upload(client: Any, dossier_id: int, content: bytes, name: str = "plan.pdf", **fields: Any) -> Any:
    body = {"document_type": "other", "file": SimpleUploadedFile(name, content), **fields}
    return client.post(f"/api/dossiers/{dossier_id}/documents/", body, format="multipart")


def test_upload_list_download_and_new_version(commune: Any, staff: dict[str, Any], as_token: Any) -> None:
    dossier = DossierFactory.create(commune=commune)
    owner = as_token(dossier.applicant)
    content = pdf_bytes()
    response = upload(owner, dossier.pk, content)
    assert response.status_code == 201, response.content
    first = response.json()
    assert first["sha256"] == hashlib.sha256(content).hexdigest() and first["version"] == 1
    assert first["content_type"] == "application/pdf" and first["is_current"]

    second = upload(owner, dossier.pk, pdf_bytes(), name="plan-v2.pdf", supersedes=first["id"]).json()
    assert second["version"] == 2 and second["lineage"] == first["lineage"]
    listed = owner.get(f"/api/dossiers/{dossier.pk}/documents/").json()
    assert [(item["id"], item["is_current"]) for item in listed] == [(first["id"], False), (second["id"], True)]
    current = owner.get(f"/api/dossiers/{dossier.pk}/documents/?current_only=true").json()
    assert [item["id"] for item in current] == [second["id"]]

    download = owner.get(first["download"], HTTP_ACCEPT="application/pdf")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == content
    assert owner.get(first["download"], HTTP_IF_NONE_MATCH=download["ETag"]).status_code == 304

    # The desk does not see drafts; another applicant never sees the file.
    assert_problem(as_token(staff["desk_agent"]).get(first["download"]), 404)
    stranger = as_token(UserFactory.create())
    assert_problem(stranger.get(first["download"]), 404)
    assert_problem(upload(stranger, dossier.pk, pdf_bytes()), 404)


def test_refused_uploads_are_400_or_409(commune: Any, as_token: Any, django_capture_on_commit_callbacks: Any) -> None:
    dossier = DossierFactory.create(commune=commune)
    owner = as_token(dossier.applicant)
    assert assert_problem(upload(owner, dossier.pk, b"%PDF-1.7\nbroken"), 400)["code"] == "pdf_broken"
    assert assert_problem(upload(owner, dossier.pk, b"MZ\x90\x00" * 64, name="x.exe"), 400)["code"]
    assert "file" in assert_problem(owner.post(f"/api/dossiers/{dossier.pk}/documents/", {}), 400)["errors"]
    assert (
        "document_type" in assert_problem(upload(owner, dossier.pk, pdf_bytes(), document_type="../x"), 400)["errors"]
    )
    assert_problem(upload(owner, dossier.pk, pdf_bytes(), document_type="no-such-type"), 400)
    assert_problem(upload(owner, dossier.pk, pdf_bytes(), supersedes=10**9), 404)
    filed = DossierFactory.create(commune=commune, applicant=dossier.applicant, under_instruction=True)
    assert_problem(upload(owner, filed.pk, pdf_bytes()), 409)


def test_upload_larger_than_the_limit(commune: Any, as_token: Any, settings: Any) -> None:
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 10_000
    dossier = DossierFactory.create(commune=commune)
    body = assert_problem(upload(as_token(dossier.applicant), dossier.pk, pdf_bytes() + b"\n%" + b"x" * 20_000), 413)
    assert body["code"] == "document_too_large"


def test_revised_plans_attached_to_a_reply(
    commune: Any, staff: dict[str, Any], as_token: Any, django_capture_on_commit_callbacks: Any
) -> None:
    dossier = DossierFactory.create(commune=commune, awaiting_applicant=True)
    owner = as_token(dossier.applicant)
    plan = upload(owner, dossier.pk, pdf_bytes(), name="revised.pdf", document_type="revised-plan")
    assert plan.status_code == 201, plan.content
    remark = dossier.remarks.get()
    reply = owner.post(
        f"/api/dossiers/{dossier.pk}/remarks/{remark.pk}/reply/",
        {"text": "Revised plan attached.", "attachments": [plan.json()["id"]]},
        format="json",
    )
    assert reply.status_code == 201, reply.content
    assert reply.json()["attachments"] == [plan.json()["id"]]
    assert owner.get(f"/api/dossiers/{dossier.pk}/").json()["current_round"] == 2
    # A document that is not of this file (or this round) cannot be attached.
    other = DossierFactory.create(commune=commune, awaiting_applicant=True, applicant=dossier.applicant)
    remark = other.remarks.get()
    path = f"/api/dossiers/{other.pk}/remarks/{remark.pk}/reply/"
    assert_problem(owner.post(path, {"text": "x", "attachments": [plan.json()["id"]]}, format="json"), 400)


def test_footprint_from_geojson_and_dxf_files(commune: Any, as_token: Any) -> None:
    dossier = DossierFactory.create(commune=commune, footprint=None)
    owner = as_token(dossier.applicant)
    path = f"/api/dossiers/{dossier.pk}/footprint/"
    square = [[-71.1199, 42.3701], [-71.1198, 42.3701], [-71.1198, 42.3702], [-71.1199, 42.3702], [-71.1199, 42.3701]]
    geojson = json.dumps({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [square]}})
    response = owner.post(path, {"file": SimpleUploadedFile("site.geojson", geojson.encode())}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["footprint"]["type"] == "MultiPolygon"

    x, y = Transformer.from_crs(4326, 32619, always_xy=True).transform(-71.1199, 42.3701)
    dxf = dxf_file(dxf_lwpolyline(ring(x, y, 12, 10))).encode()
    body = assert_problem(owner.post(path, {"file": SimpleUploadedFile("plan.dxf", dxf)}, format="multipart"), 400)
    assert body["code"] == "footprint_srid_required"
    response = owner.post(path, {"file": SimpleUploadedFile("plan.dxf", dxf), "srid": 32619}, format="multipart")
    assert response.status_code == 200, response.content
    west, south = response.json()["footprint"]["coordinates"][0][0][0]
    assert abs(west - -71.1199) < 1e-4 and abs(south - 42.3701) < 1e-4
    assert_problem(owner.post(path, {"file": SimpleUploadedFile("x.pdf", pdf_bytes())}, format="multipart"), 400)
