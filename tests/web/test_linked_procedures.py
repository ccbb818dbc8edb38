"""Linked procedures through the pages: from an authorised, published building permit the applicant applies for
the occupancy permit or the certificate of conformity (a draft linked to it and filled in from it, one at a time),
or chooses one of their authorised files in the wizard's first step; both file pages show the link."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from permits import services
from permits.models import Dossier, DossierDocument, DossierStatus, Procedure
from permits.services import procedures_load
from tests.factories import ParcelFactory, box
from tests.permits.factories import ADDRESS, DossierFactory, UserFactory, commune_tree, staff_for, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("documents_storage_dir")]


@pytest.fixture(autouse=True)
def catalogue(db: Any) -> None:
    procedures_load()


@pytest.fixture
def commune() -> Any:
    return commune_tree("CASA-ANFA")


@pytest.fixture
def parcel(commune: Any) -> Any:
    return ParcelFactory(commune=commune, reference="160-43", geom=box(-71.1200, 42.3700, -71.1197, 42.3703))


def procedure(code: str) -> Procedure:
    return Procedure.objects.get(code=code)


def building_permit(commune: Any, parcel: Any, applicant: User | None = None, **status: bool) -> Dossier:
    return DossierFactory.create(
        procedure=procedure("building-permit"),
        commune=commune,
        applicant=applicant or UserFactory.create(),
        parcels=[parcel],
        title="Villa Anfa",
        height_m=8.5,
        floors=2,
        gross_floor_area_m2=240.0,
        use="residential",
        units=1,
        **status,
    )


def answered(dossier: Dossier) -> Dossier:
    """The linked file's own form answered (the authorised permit is already named): the completion date."""
    return services.dossier_update(
        actor=dossier.applicant, address=ADDRESS, dossier=dossier, answers={"completion_date": "2026-06-30"}
    )


def client_for(user: User, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def apply_url(dossier: Dossier, code: str = "occupancy-permit") -> str:
    return reverse("web:dossier-apply-linked", args=[dossier.pk, code])


def test_the_buttons_appear_only_on_an_authorised_published_file_of_the_parent_procedure(
    commune: Any, parcel: Any
) -> None:
    published = building_permit(commune, parcel, published=True)
    page = client_for(published.applicant).get(reverse("web:dossier-detail", args=[published.pk])).content.decode()
    assert "Apply for “Occupancy permit”" in page and "Apply for “Certificate of conformity”" in page
    signed = building_permit(commune, parcel, signed=True)
    page = client_for(signed.applicant).get(reverse("web:dossier-detail", args=[signed.pk])).content.decode()
    assert 'id="linked-offers"' not in page
    assert client_for(signed.applicant).post(apply_url(signed)).status_code == 404
    declaration = DossierFactory.create(
        procedure=procedure("simple-declaration"), commune=commune, parcels=[parcel], published=True
    )
    page = client_for(declaration.applicant).get(reverse("web:dossier-detail", args=[declaration.pk])).content.decode()
    assert 'id="linked-offers"' not in page
    staff = client_for(staff_for(commune)["desk_agent"])
    assert 'id="linked-offers"' not in staff.get(reverse("web:dossier-detail", args=[published.pk])).content.decode()


@pytest.mark.parametrize(
    ("language", "button", "linked"),
    [("fr", "Demander « Permis d&#x27;habiter »", "Lié à"), ("ar", "طلب «رخصة السكن»", "مرتبط بـ")],
)
def test_the_button_and_the_link_in_french_and_arabic(
    commune: Any, parcel: Any, language: str, button: str, linked: str
) -> None:
    parent = building_permit(commune, parcel, published=True)
    client = client_for(parent.applicant, language)
    assert button in client.get(reverse("web:dossier-detail", args=[parent.pk])).content.decode()
    client.post(apply_url(parent))
    child = Dossier.objects.get(parent_dossier=parent)
    assert f"{linked} <a" in client.get(reverse("web:dossier-detail", args=[child.pk])).content.decode()


def test_applying_creates_one_linked_draft_filled_in_from_the_permit(commune: Any, parcel: Any) -> None:
    parent = building_permit(commune, parcel, published=True)
    applicant = client_for(parent.applicant)
    response = applicant.post(apply_url(parent))
    draft = Dossier.objects.get(parent_dossier=parent, procedure__code="occupancy-permit")
    assert response.status_code == 302 and response["Location"] == reverse("web:wizard-site", args=[draft.pk])
    assert draft.status == DossierStatus.DRAFT and draft.applicant == parent.applicant
    assert (draft.commune, draft.title, draft.height_m, draft.floors, draft.use, draft.units) == (
        commune, "Villa Anfa", 8.5, 2, "residential", 1
    )  # fmt: skip
    assert list(draft.parcels.all()) == [parcel]
    assert draft.footprint is not None and parent.footprint is not None
    assert draft.footprint.equals_exact(parent.footprint, 1e-9)
    assert not DossierDocument.objects.filter(dossier=draft).exists()
    second = applicant.post(apply_url(parent))
    assert second["Location"] == reverse("web:wizard-site", args=[draft.pk])
    assert Dossier.objects.filter(parent_dossier=parent, procedure__code="occupancy-permit").count() == 1
    page = applicant.get(reverse("web:dossier-detail", args=[parent.pk])).content.decode()
    assert "Continue the “Occupancy permit” file in progress" in page
    assert "Apply for “Certificate of conformity”" in page


def test_an_open_linked_file_already_filed_is_where_the_button_leads(commune: Any, parcel: Any) -> None:
    parent = building_permit(commune, parcel, published=True)
    client_for(parent.applicant).post(apply_url(parent, "certificate-of-conformity"))
    filed = submit(answered(Dossier.objects.get(parent_dossier=parent)))
    response = client_for(parent.applicant).post(apply_url(parent, "certificate-of-conformity"))
    assert response["Location"] == reverse("web:dossier-detail", args=[filed.pk])
    assert Dossier.objects.filter(parent_dossier=parent).count() == 1


def test_another_applicant_gets_a_404(commune: Any, parcel: Any) -> None:
    parent = building_permit(commune, parcel, published=True)
    stranger = client_for(UserFactory.create())
    assert stranger.post(apply_url(parent)).status_code == 404
    assert client_for(parent.applicant).post(apply_url(parent, "building-permit")).status_code == 404
    assert not Dossier.objects.filter(parent_dossier=parent).exists()


def test_the_wizard_lists_only_the_applicants_authorised_parent_files(commune: Any, parcel: Any) -> None:
    applicant = UserFactory.create()
    mine = building_permit(commune, parcel, applicant, published=True)
    pending = building_permit(commune, parcel, applicant, submitted=True)
    theirs = building_permit(commune, parcel, published=True)
    page = client_for(applicant).get(reverse("web:wizard-procedure")).content.decode()
    assert f'<option value="{mine.pk}">{mine.reference}' in page
    assert f'value="{pending.pk}"' not in page and f'value="{theirs.pk}"' not in page
    response = client_for(applicant).post(
        reverse("web:wizard-procedure"),
        {
            "procedure": procedure("occupancy-permit").pk,
            "parent_dossier": mine.pk,
            "commune": commune.pk,
            "title": "Habiter Villa Anfa",
        },
    )
    linked = Dossier.objects.get(parent_dossier=mine)
    assert response["Location"] == reverse("web:wizard-site", args=[linked.pk])
    assert linked.title == "Habiter Villa Anfa" and list(linked.parcels.all()) == [parcel]


def test_a_forged_or_missing_parent_is_a_form_error(commune: Any, parcel: Any) -> None:
    applicant = UserFactory.create()
    theirs = building_permit(commune, parcel, published=True)
    occupancy = procedure("occupancy-permit").pk
    fields = {"procedure": occupancy, "commune": commune.pk, "title": "Habiter"}
    client = client_for(applicant)
    missing = client.post(reverse("web:wizard-procedure"), fields)
    assert missing.status_code == 200
    assert "You have no authorised file of the procedure “Building permit”" in missing.content.decode()
    forged = client.post(reverse("web:wizard-procedure"), {**fields, "parent_dossier": theirs.pk})
    assert forged.status_code == 200 and "Choose one of your authorised files from the list." in forged.content.decode()
    nonsense = client.post(reverse("web:wizard-procedure"), {**fields, "parent_dossier": "x'; --"})
    assert nonsense.status_code == 200
    mine = building_permit(commune, parcel, applicant, published=True)
    building = {**fields, "procedure": procedure("building-permit").pk, "parent_dossier": mine.pk}
    assert "does not follow another file" in client.post(reverse("web:wizard-procedure"), building).content.decode()
    assert not Dossier.objects.filter(applicant=applicant, parent_dossier__isnull=False).exists()


def test_both_file_pages_show_the_link_both_ways(commune: Any, parcel: Any) -> None:
    parent = building_permit(commune, parcel, published=True)
    client_for(parent.applicant).post(apply_url(parent))
    child = submit(answered(Dossier.objects.get(parent_dossier=parent)))
    applicant = client_for(parent.applicant)
    child_page = applicant.get(reverse("web:dossier-detail", args=[child.pk])).content.decode()
    parent_url = reverse("web:dossier-detail", args=[parent.pk])
    assert f'Linked to <a href="{parent_url}">{parent.reference}</a>' in child_page
    parent_page = applicant.get(parent_url).content.decode()
    assert f'href="{reverse("web:dossier-detail", args=[child.pk])}">{child.reference}</a>' in parent_page
    desk = client_for(staff_for(commune)["desk_agent"], "fr")
    office_child = desk.get(reverse("web:dossier-detail", args=[child.pk])).content.decode()
    assert f'Lié à <a href="{parent_url}">{parent.reference}</a>' in office_child
    office_parent = desk.get(parent_url).content.decode()
    assert "Dossiers liés" in office_parent and str(child.reference) in office_parent
