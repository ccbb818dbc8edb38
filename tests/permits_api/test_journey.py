"""A file from draft to published through the JSON API only: the applicant by token (obtained with their
password), the back office by session cookie and CSRF token like the web pages' JS. Dispatch at the completeness
check, one remarks round with a reply (a new round, the earlier one kept), opinions by members, then the legal path:
a slot booked, the session's attendance with the quorum, the joint opinion, the president's decision from the
examination, each signer's PAdES signature (the last one publishes the file); no route decides, signs or publishes a
file otherwise; deadlines, rounds and the audit history read back; the audit chain intact."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from permits.audit import audit_verify
from permits.models import ApplicationCode, Dossier, Role, RoleMembership
from tests.legal_path import LegalPath
from tests.permits.factories import (
    FOOTPRINT,
    UserFactory,
    application_code_sent,
    application_seal_ready,
    catalogue_uses,
    member_for,
)
from tests.permits_api.conftest import SessionClient

pytestmark = pytest.mark.django_db

FOOTPRINT_GEOJSON = {
    "type": "Polygon",
    "coordinates": [[[-71.11995, 42.37005], [-71.11975, 42.37005], [-71.11975, 42.37025], [-71.11995, 42.37025],
                     [-71.11995, 42.37005]]],
}  # fmt: skip


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.content[:800])
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_draft_to_published_through_the_api(
    commune: Any,
    parcel: Any,
    staff: dict[str, Any],
    procedure: Any,
    as_session: Any,
    legal_path: LegalPath,
    django_capture_on_commit_callbacks: Any,
) -> None:
    catalogue_uses()  # the codes a file's use may take
    applicant = UserFactory.create(username="amina")
    applicant.set_password("s3cret-pass")
    applicant.save()

    # The applicant exchanges their password for a token and works with it.
    token = ok(APIClient().post("/api/auth/token/", {"username": "amina", "password": "s3cret-pass"}, format="json"))
    amina = APIClient()
    amina.credentials(HTTP_AUTHORIZATION=f"Token {token['token']}")
    desk: SessionClient = as_session(staff["desk_agent"])
    president: SessionClient = as_session(staff["commission_president"])
    signing: SessionClient = as_session(staff["signing_authority"])

    procedures = ok(amina.get("/api/procedures/"))
    assert procedure.code in {item["code"] for item in procedures}

    created = ok(
        amina.post(
            "/api/dossiers/",
            {
                "procedure": procedure.code,
                "commune": commune.code,
                "parcels": [parcel.pk],
                "footprint": FOOTPRINT_GEOJSON,
                "title": "House",
                "height_m": 9,
                "floors": 3,
                "gross_floor_area_m2": 300,
                "use": "residential",
            },
            format="json",
        ),
        201,
    )
    dossier_id = created["id"]
    assert created["status"] == "draft" and created["reference"] is None
    assert created["footprint"]["type"] == "MultiPolygon"
    assert created["parcels"] == [parcel.pk]
    assert set(created["actions"]) == {"submit", "withdraw"}
    base = f"/api/dossiers/{dossier_id}/"

    updated = ok(amina.patch(base, {"title": "House with a garden", "units": 2}, format="json"))
    assert updated["title"] == "House with a garden" and updated["units"] == 2
    assert [item["id"] for item in ok(amina.get("/api/dossiers/"))["results"]] == [dossier_id]

    refused = amina.post(f"{base}submit/")  # the application form is not signed yet
    assert refused.status_code == 409 and "not signed" in refused.json()["detail"]
    application_seal_ready()
    preview = amina.get(f"{base}application/")
    assert preview.status_code == 200 and preview["Content-Type"] == "application/pdf"
    assert preview.content.startswith(b"%PDF") and preview["Cache-Control"] == "private, no-store"
    assert (
        amina.post(f"{base}application/code/", {"channel": "email", "consent": False}, format="json").status_code == 400
    )
    sent = ok(amina.post(f"{base}application/code/", {"channel": "email", "consent": True}, format="json"), 201)
    assert sent["to"] == "a•••@example.org" and sent["content_sha256"] == preview["X-Content-SHA256"]
    code = application_code_sent(ApplicationCode.objects.get(dossier_id=dossier_id))
    wrong = amina.post(f"{base}application/sign/", {"code": "999999" if code != "999999" else "000000"}, format="json")
    assert wrong.status_code == 400 and "attempt" in wrong.json()["detail"]
    signed = ok(amina.post(f"{base}application/sign/", {"code": code}, format="json"), 201)
    assert len(signed["sha256"]) == 64

    submitted = ok(amina.post(f"{base}submit/"))
    assert submitted["status"] == "submitted"
    assert submitted["reference"].startswith(f"{commune.code}/")

    # The desk accepts it: round 1, dispatched to the commission's permanent member.
    under_instruction = ok(desk.post(f"{base}completeness/", {"complete": True}))
    assert under_instruction["status"] == "under_instruction" and under_instruction["current_round"] == 1
    deadlines = ok(amina.get(f"{base}deadlines/"))
    assert [row["agency"] for row in deadlines] == ["PERMANENT-AGENCY"]
    assert isinstance(deadlines[0]["business_days_remaining"], int) and deadlines[0]["business_days_remaining"] > 0

    member: SessionClient = as_session(member_for(_agency("PERMANENT-AGENCY")))
    queue = ok(member.get("/api/consultations/"))
    assert [item["dossier"] for item in queue] == [dossier_id]

    # One remarks round: the member issues a remark, the desk sends it, the applicant replies.
    remark = ok(member.post(f"{base}remarks/", {"text": "Show the setback on the ground-floor plan."}), 201)
    assert remark["agency"] == "PERMANENT-AGENCY" and remark["status"] == "open"
    assert ok(desk.post(f"{base}remarks/send/"))["status"] == "awaiting_applicant"
    reply = ok(amina.post(f"{base}remarks/{remark['id']}/reply/", {"text": "Setback shown."}, format="json"), 201)
    assert reply["author"] == "amina"
    again = ok(amina.get(base))
    assert again["status"] == "under_instruction" and again["current_round"] == 2
    closed = ok(member.post(f"{base}remarks/{remark['id']}/close/", {"note": "fine"}))
    assert closed["status"] == "closed" and [item["text"] for item in closed["replies"]] == ["Setback shown."]

    # Round 2 is dispatched again; the member gives the opinion of round 2 from the queue.
    queue = ok(member.get("/api/consultations/"))
    assert [(item["dossier"], item["round"]) for item in queue] == [(dossier_id, 2)]
    opinion = ok(member.post(f"/api/consultations/{queue[0]['id']}/opinion/", {"opinion": "favourable"}))
    assert opinion["status"] == "given" and opinion["opinion"] == "favourable"

    # The commission: the applicant books a slot, the desk takes the file to the commission.
    commission = legal_path.commission_for(Dossier.objects.get(pk=dossier_id))  # set up by the administration
    slots = ok(amina.get(f"{base}commission/slots/"))
    booking = ok(amina.post(f"{base}commission/booking/", {"slot": slots[0]["slot_id"]}, format="json"), 201)
    assert ok(desk.post(f"{base}send-to-commission/"))["status"] == "in_commission"
    # No decision, signature nor publication on the file itself: those routes are gone.
    for gone in ("decide", "sign", "publish"):
        assert president.post(f"{base}{gone}/", {"decision": "favourable"}).status_code == 404
    # The session: attendance with the quorum, the joint opinion, the president's decision from the examination.
    session = f"/api/commission/sessions/{booking['session']}/"
    members = list(commission.members.values_list("pk", flat=True))
    assert ok(president.post(f"{session}attendance/", {"present_member_ids": members}))["quorum_reached"] is True
    examination = ok(president.post(f"{session}examinations/", {"dossier": dossier_id, "joint_opinion": "favourable"}))
    with django_capture_on_commit_callbacks(execute=True):
        decision = {"decision": "favourable_with_conditions", "conditions": "Plant two trees."}
        decided = ok(president.post(f"/api/commission/examinations/{examination['id']}/decide/", decision))
    assert decided["dossier_status"] == "decided"
    assert ok(amina.get(base))["decision"] == "favourable_with_conditions"
    # Each signer signs in turn (PAdES, in Celery after the commit); the last signature signs and publishes.
    legal_path.certify_signers(Dossier.objects.get(pk=dossier_id))
    for signer in (member, signing):
        for request in ok(signer.get("/api/commission/signatures/")):
            with django_capture_on_commit_callbacks(execute=True):
                ok(signer.post(f"/api/commission/signatures/{request['id']}/sign/"), 202)
    published = ok(amina.get(base))
    assert published["status"] == "published" and published["actions"] == []
    assert {item["kind"] for item in published["published_documents"]} == {"decision", "minutes"}

    rounds = ok(amina.get(f"{base}rounds/"))
    assert [item["number"] for item in rounds] == [1, 2]
    assert rounds[0]["remarks"] == [remark["id"]] and rounds[0]["consultations"][0]["status"] == "closed"
    assert ok(amina.get(f"{base}overlaps/")) == []
    history = ok(amina.get(f"{base}history/"))
    actions = [event["action"] for event in history]
    for expected in ("dossier.created", "dossier.submit", "dossier.dispatched", "remark.replied", "dossier.publish"):
        assert expected in actions
    assert history[0]["actor"] == "amina" and history[0]["address"] == "127.0.0.1"
    assert {event["address"] for event in history if event["actor"] != "amina"} == {None}
    staff_history = ok(desk.get(f"{base}history/"))  # the staff read the addresses (the signatures ran in Celery)
    assert [event["address"] for event in staff_history if event["action"] == "dossier.accept_complete"] == [
        "127.0.0.1"
    ]
    assert staff_history[-1]["action"] == "dossier.publish" and staff_history[-1]["address"] is None
    assert audit_verify().ok


def test_an_architect_files_for_an_applicant(commune: Any, procedure: Any, as_token: Any) -> None:
    applicant = UserFactory.create(username="client", email_verified=True)  # invitations reach verified e-mails
    architect = UserFactory.create(username="architect")
    RoleMembership.objects.create(user=architect, role=Role.ARCHITECT)
    body = {"procedure": procedure.code, "commune": commune.code, "applicant": "client", "footprint": FOOTPRINT.wkt}
    refused = as_token(architect).post("/api/dossiers/", body, format="json")
    assert refused.status_code == 403 and "mandate" in refused.json()["detail"]  # no consent yet
    assert not Dossier.objects.exists()
    invited = ok(as_token(architect).post("/api/mandates/", {"email": applicant.email}, format="json"), 201)
    assert invited["status"] == "pending" and invited["applicant"] == "client"
    assert as_token(architect).post(f"/api/mandates/{invited['id']}/accept/").status_code == 403  # not the invitee
    accepted = ok(as_token(applicant).post(f"/api/mandates/{invited['id']}/accept/"))
    assert accepted["status"] == "active"
    created = ok(as_token(architect).post("/api/dossiers/", body, format="json"), 201)
    assert created["applicant"] == "client" and created["architect"] == "architect"
    assert ok(as_token(applicant).get(f"/api/dossiers/{created['id']}/"))["id"] == created["id"]
    ok(as_token(applicant).post(f"/api/mandates/{invited['id']}/revoke/"))
    edit = as_token(architect).patch(f"/api/dossiers/{created['id']}/", {"units": 3}, format="json")
    assert edit.status_code in (403, 404)  # the mandate is revoked: the architect's hand on the file ends


def test_my_profile(as_token: Any, db: Any) -> None:
    user = UserFactory.create(username="salma")
    RoleMembership.objects.create(user=user, role=Role.ARCHITECT)
    client = as_token(user)
    profile = ok(client.get("/api/me/profile/"))
    assert profile["preferred_language"] == "fr" and profile["roles"] == [
        {"role": "architect", "territory": None, "agency": None}
    ]
    changed = ok(
        client.patch(
            "/api/me/profile/",
            {"preferred_language": "ar", "phone": "+212600000000", "notify_by_sms": True},
            format="json",
        )
    )
    assert (changed["preferred_language"], changed["notify_by_sms"], changed["phone"]) == ("ar", True, "+212600000000")


def test_token_revoked(as_token: Any, db: Any) -> None:
    user = UserFactory.create()
    client = as_token(user)
    assert client.delete("/api/auth/token/").status_code == 204
    assert client.get("/api/me/profile/").status_code == 401


def _agency(code: str) -> Any:
    from parcels.models import Agency

    return Agency.objects.get(code=code)
