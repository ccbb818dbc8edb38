"""Each procedure's own form through the pages and the API (issue 11 §3): the wizard's project step shows the
procedure's own fields, refuses each invalid answer on its field in French and in Arabic and saves nothing, the
review and the office's file page show the answers; the API takes and returns them with the same messages; the
geoportal publishes an economic activity as its code."""

from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from permits import services
from permits.models import Dossier, Procedure
from permits.services import procedures_load
from tests.permits.factories import ADDRESS, DossierFactory, UserFactory, commune_tree, staff_for
from tests.permits_api.conftest import token_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("documents_storage_dir")]

ADVERTISING = {
    "display_width": "4",
    "display_height": "3",
    "lit": "true",
    "placement": "roadside",
    "duration_months": "12",
}
# (field, bad answer, French message, Arabic message), one per kind of check
INVALID = [
    ("display_width", "quatre", "Saisissez un nombre.", "أدخل رقما."),
    ("display_height", "25", "Saisissez au plus 20 m.", "أدخل على الأكثر 20 m."),
    ("placement", "sky", "Choisissez l'une des valeurs proposées.", "اختر إحدى القيم المقترحة."),
    ("duration_months", "", "Cette réponse est obligatoire.", "هذا الجواب إلزامي."),
    ("lit", "maybe", "Répondez par oui ou par non.", "أجب بنعم أو لا."),
]


@pytest.fixture(autouse=True)
def catalogue(db: Any) -> None:
    procedures_load()


@pytest.fixture
def commune() -> Any:
    return commune_tree("CASA-ANFA")


def browser(user: Any, language: str) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def advertising_draft(commune: Any) -> Dossier:
    return services.dossier_create(
        actor=UserFactory.create(),
        address=ADDRESS,
        procedure=Procedure.objects.get(code="advertising-display"),
        commune=commune,
        title="Panneau Anfa",
    )


def test_the_project_step_shows_the_procedures_own_fields(commune: Any) -> None:
    dossier = advertising_draft(commune)
    html = browser(dossier.applicant, "ar").get(reverse("web:wizard-project", args=[dossier.pk])).content.decode()
    assert 'dir="rtl"' in html
    assert "عرض اللوحة" in html and "على جانب الطريق" in html and 'name="lit"' in html
    for building_field in ('name="height_m"', 'name="floors"', 'name="use"'):
        assert building_field not in html


@pytest.mark.parametrize("language", ["fr", "ar"])
@pytest.mark.parametrize(("key", "value", "french", "arabic"), INVALID)
def test_each_invalid_answer_shows_its_message_on_its_field_and_saves_nothing(
    commune: Any, language: str, key: str, value: str, french: str, arabic: str
) -> None:
    dossier = advertising_draft(commune)
    before = (dossier.answers, dossier.updated_at, dossier.audit_events.count())
    response = browser(dossier.applicant, language).post(
        reverse("web:wizard-project", args=[dossier.pk]), {**ADVERTISING, key: value}
    )
    assert response.status_code == 200
    html = response.content.decode()
    message = french if language == "fr" else arabic
    field_html = html[html.index(f'name="{key}"') :]
    assert (
        f'<p class="errorlist field-error" role="alert">{message}</p>'.replace("'", "&#x27;")
        in field_html.split("</div>")[0]
    )
    assert html.count('class="errorlist field-error"') == 1
    dossier.refresh_from_db()
    assert (dossier.answers, dossier.updated_at, dossier.audit_events.count()) == before


def test_valid_answers_are_saved_and_shown_on_the_review_and_the_office_page(commune: Any) -> None:
    dossier = advertising_draft(commune)
    client = browser(dossier.applicant, "fr")
    response = client.post(reverse("web:wizard-project", args=[dossier.pk]), ADVERTISING)
    assert response.status_code == 302 and response["Location"] == reverse("web:wizard-documents", args=[dossier.pk])
    dossier.refresh_from_db()
    assert dossier.answers == {
        "display_width": 4.0,
        "display_height": 3.0,
        "lit": True,
        "placement": "roadside",
        "duration_months": 12,
    }
    review = client.get(reverse("web:wizard-review", args=[dossier.pk])).content.decode()
    assert "Emplacement" in review and "En bordure de voie" in review and "Support lumineux" in review
    assert "Hauteur du support" in review and "3 m" in review

    submitted: Dossier = DossierFactory.create(
        procedure=dossier.procedure, commune=commune, answers=dossier.answers, submitted=True
    )
    desk = staff_for(commune)["desk_agent"]
    office = browser(desk, "ar").get(reverse("web:dossier-detail", args=[submitted.pk])).content.decode()
    assert "الموقع" in office and "على جانب الطريق" in office and "مدة الإشهار (بالأشهر)" in office


def test_the_api_takes_and_returns_the_answers_with_the_same_messages(commune: Any) -> None:
    client = token_client(UserFactory.create())
    body = {"procedure": "advertising-display", "commune": "CASA-ANFA", "title": "Panneau"}
    refused = client.post(
        "/api/dossiers/",
        {**body, "answers": {**ADVERTISING, "placement": "sky", "lit": None, "colour": "red"}},
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert refused.status_code == 400 and refused["Content-Type"] == "application/problem+json"
    assert refused.json()["errors"] == {
        "colour": ["Le formulaire de cette procédure n'a pas ce champ."],
        "placement": ["Choisissez l'une des valeurs proposées."],
    }
    building = client.post("/api/dossiers/", {**body, "height_m": 9}, format="json")
    assert building.status_code == 400 and "height_m" in building.json()["errors"]
    assert not Dossier.objects.exists()

    created = client.post("/api/dossiers/", {**body, "answers": {"placement": "facade"}}, format="json")
    assert created.status_code == 201 and created.json()["answers"] == {"placement": "facade"}
    path = f"/api/dossiers/{created.json()['id']}/"
    changed = client.patch(path, {"answers": {"placement": "roadside", "duration_months": "6"}}, format="json")
    assert changed.json()["answers"] == {"placement": "roadside", "duration_months": 6}
    refused = client.patch(path, {"answers": {"duration_months": 99}}, format="json", HTTP_ACCEPT_LANGUAGE="ar")
    assert refused.status_code == 400 and refused.json()["errors"] == {"duration_months": ["أدخل على الأكثر 60."]}
    assert client.get(path).json()["answers"] == {"placement": "roadside", "duration_months": 6}

    [advertising] = [item for item in client.get("/api/procedures/").json() if item["code"] == "advertising-display"]
    placement = next(field for field in advertising["form_fields"] if field["key"] == "placement")
    assert placement["type"] == "choice" and [choice["value"] for choice in placement["choices"]] == [
        "facade",
        "roadside",
    ]
    activities = client.get("/api/activities/").json()
    assert {"code": "grocery", "label_fr": "Épicerie", "label_ar": "بقالة", "label_en": "Grocery", "use": "food"} in (
        activities
    )
    schema = client.get("/api/schema/").content.decode()
    assert "answers" in schema and "activities_list" in schema


def test_the_geoportal_publishes_the_activity_as_its_code(commune: Any) -> None:
    classified = Procedure.objects.get(code="classified-establishment")
    published: Dossier = DossierFactory.create(procedure=classified, commune=commune, published=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT activity, use FROM geoportal.authorised_projects WHERE id = %s", [published.pk])
        assert cursor.fetchone() == ("metal-works", "industrial")
        cursor.execute("SELECT label_fr, label_ar, use FROM geoportal.activities WHERE code = 'metal-works'")
        assert cursor.fetchone() == ("Travail des métaux", "صناعة المعادن", "industrial")
        Dossier.objects.filter(pk=published.pk).update(activity="atelier de Yasmine")  # never text
        cursor.execute("SELECT activity FROM geoportal.authorised_projects WHERE id = %s", [published.pk])
        assert cursor.fetchone() == (None,)


def test_the_desk_gives_or_refuses_the_receipt_of_a_declaration(commune: Any) -> None:
    from tests.permits.factories import give_all_opinions

    declaration: Dossier = DossierFactory.create(
        procedure=Procedure.objects.get(code="simple-declaration"), commune=commune, under_instruction=True
    )
    give_all_opinions(declaration)
    desk = staff_for(commune)["desk_agent"]
    html = browser(desk, "fr").get(reverse("web:dossier-detail", args=[declaration.pk])).content.decode()
    assert "Récépissé de déclaration" in html and "Délivrer le récépissé" in html
    assert "Refuser le récépissé (motifs obligatoires)" in html
    building: Dossier = DossierFactory.create(
        procedure=Procedure.objects.get(code="building-permit"), commune=commune, under_instruction=True
    )
    assert (
        "Délivrer le récépissé"
        not in browser(desk, "fr").get(reverse("web:dossier-detail", args=[building.pk])).content.decode()
    )


def test_the_occupancy_permit_step_names_the_authorised_permit_and_the_completion_date(commune: Any) -> None:
    from permits.services.filing import dossier_start_linked

    applicant = UserFactory.create()
    building: Dossier = DossierFactory.create(
        procedure=Procedure.objects.get(code="building-permit"), commune=commune, applicant=applicant, published=True
    )
    occupancy, _created = dossier_start_linked(
        actor=applicant,
        address=ADDRESS,
        parent_dossier=building,
        procedure=Procedure.objects.get(code="occupancy-permit"),
    )
    client = browser(applicant, "fr")
    url = reverse("web:wizard-project", args=[occupancy.pk])
    html = client.get(url).content.decode()
    assert f'<option value="{building.reference}" selected>' in html and 'type="date"' in html
    refused = client.post(url, {"permit_reference": building.reference, "completion_date": "30/06/2026"})
    assert "Saisissez une date au format AAAA-MM-JJ." in refused.content.decode()
    occupancy.refresh_from_db()
    assert occupancy.answers == {"permit_reference": building.reference}
    saved = client.post(url, {"permit_reference": building.reference, "completion_date": "2026-06-30"})
    assert saved.status_code == 302
    occupancy.refresh_from_db()
    assert occupancy.answers == {"permit_reference": building.reference, "completion_date": "2026-06-30"}


def test_the_review_lists_the_answers_still_missing(commune: Any) -> None:
    dossier = advertising_draft(commune)
    services.dossier_update(
        actor=dossier.applicant, address=ADDRESS, dossier=dossier, answers={"placement": "facade", "lit": False}
    )
    html = browser(dossier.applicant, "fr").get(reverse("web:wizard-review", args=[dossier.pk])).content.decode()
    missing = html[html.index('id="missing-answers"') :].split("</div>")[0]
    assert "Largeur du support (m) : Cette réponse est obligatoire." not in missing  # labels without units
    assert "Largeur du support: Cette réponse est obligatoire." in missing
    assert "Durée d&#x27;affichage (mois): Cette réponse est obligatoire." in missing
    assert "Emplacement" not in missing
