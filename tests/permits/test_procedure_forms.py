"""Each procedure's own form (issue 11 §3): the catalogue's declarations, the one validator of the answers, the
typed columns they fill, the documents they make mandatory, and the dispatch they drive."""

from pathlib import Path
from typing import Any

import pytest
import yaml
from django.utils import translation

from permits import services
from permits.answers import InvalidAnswers, answers_clean, answers_display
from permits.dispatch import dispatch_targets
from permits.errors import IllegalTransition, InvalidDossier
from permits.models import Dossier, EconomicActivity, Procedure
from permits.services.catalogue import DEFAULT_CATALOGUE, CatalogueError, procedures_load
from permits.services.filing import dossier_start_linked
from tests.factories import ParcelFactory
from tests.permits.factories import (
    ADDRESS,
    DossierFactory,
    UserFactory,
    application_signature_write,
    documents_attach_mandatory,
    upload_file,
)

pytestmark = pytest.mark.django_db

VALID: dict[str, dict[str, Any]] = {
    "simple-declaration": {"activity": "grocery", "premises_area": "45,5", "opening_hours": "8 h - 20 h"},
    "classified-establishment": {"establishment_class": "3", "activity": "metal-works", "hazards": "Bruit, fumées"},
    "telecom-installation": {
        "antenna_type": "macro_cell",
        "mast_height": 24,
        "transmit_power": "40",
        "site_sharing": False,
    },
    "advertising-display": {
        "display_width": 4,
        "display_height": "3",
        "lit": "true",
        "placement": "facade",
        "duration_months": 12,
    },
}
STORED: dict[str, dict[str, Any]] = {
    "simple-declaration": {"activity": "grocery", "premises_area": 45.5, "opening_hours": "8 h - 20 h"},
    "classified-establishment": {"establishment_class": "3", "activity": "metal-works", "hazards": "Bruit, fumées"},
    "telecom-installation": {
        "antenna_type": "macro_cell",
        "mast_height": 24.0,
        "transmit_power": 40.0,
        "site_sharing": False,
    },
    "advertising-display": {
        "display_width": 4.0,
        "display_height": 3.0,
        "lit": True,
        "placement": "facade",
        "duration_months": 12,
    },
}
# (procedure, field, bad answer, the message in French, in Arabic)
INVALID = [
    (
        "simple-declaration",
        "activity",
        "astrology",
        "Choisissez une activité de la nomenclature.",
        "اختر نشاطا من مدونة الأنشطة.",
    ),
    ("simple-declaration", "premises_area", "-3", "Saisissez au moins 1 m².", "أدخل على الأقل 1 m²."),
    ("simple-declaration", "premises_area", "vingt", "Saisissez un nombre.", "أدخل رقما."),
    ("simple-declaration", "opening_hours", "", "Cette réponse est obligatoire.", "هذا الجواب إلزامي."),
    (
        "classified-establishment",
        "establishment_class",
        "4",
        "Choisissez l'une des valeurs proposées.",
        "اختر إحدى القيم المقترحة.",
    ),
    ("classified-establishment", "employees", "2.5", "Saisissez un nombre entier.", "أدخل عددا صحيحا."),
    (
        "classified-establishment",
        "hazards",
        "x" * 1001,
        "Saisissez au plus 1000 caractères.",
        "أدخل 1000 حرفا على الأكثر.",
    ),
    ("telecom-installation", "mast_height", "200", "Saisissez au plus 150 m.", "أدخل على الأكثر 150 m."),
    (
        "telecom-installation",
        "antenna_type",
        "satellite",
        "Choisissez l'une des valeurs proposées.",
        "اختر إحدى القيم المقترحة.",
    ),
    ("telecom-installation", "site_sharing", "peut-être", "Répondez par oui ou par non.", "أجب بنعم أو لا."),
    ("advertising-display", "placement", "sky", "Choisissez l'une des valeurs proposées.", "اختر إحدى القيم المقترحة."),
    ("advertising-display", "duration_months", "0", "Saisissez au moins 1.", "أدخل على الأقل 1."),
    ("advertising-display", "lit", "", "Cette réponse est obligatoire.", "هذا الجواب إلزامي."),
]


@pytest.fixture(autouse=True)
def catalogue_loaded(db: Any) -> None:
    procedures_load()


def procedure(code: str) -> Procedure:
    return Procedure.objects.get(code=code)


def draft(code: str, commune: Any, **answers: Any) -> Dossier:
    applicant = UserFactory.create()
    return services.dossier_create(
        actor=applicant, address=ADDRESS, procedure=procedure(code), commune=commune, title="Projet", answers=answers
    )


@pytest.mark.parametrize("code", sorted(VALID))
def test_valid_answers_are_stored_as_typed_values(code: str, commune: Any) -> None:
    dossier = draft(code, commune, **VALID[code])
    dossier.refresh_from_db()
    assert dossier.answers == STORED[code]


@pytest.mark.parametrize(("code", "key", "value", "french", "arabic"), INVALID)
def test_each_invalid_answer_has_its_message_in_french_and_arabic(
    code: str, key: str, value: str, french: str, arabic: str
) -> None:
    answers = {**VALID[code], key: value}
    for language, message in (("fr", french), ("ar", arabic)):
        with translation.override(language), pytest.raises(InvalidAnswers) as caught:
            answers_clean(procedure=procedure(code), answers=answers)
        assert caught.value.errors == {key: [message]}, language


@pytest.mark.parametrize(("code", "key", "value", "french", "arabic"), INVALID[:2] + INVALID[4:5])
def test_an_invalid_answer_saves_nothing(
    code: str, key: str, value: str, french: str, arabic: str, commune: Any
) -> None:
    dossier = draft(code, commune, **VALID[code])
    before = (dossier.answers, dossier.updated_at, dossier.audit_events.count())
    with translation.override("fr"), pytest.raises(InvalidAnswers) as caught:
        services.dossier_update(actor=dossier.applicant, address=ADDRESS, dossier=dossier, answers={key: value})
    assert caught.value.errors == {key: [french]}
    dossier.refresh_from_db()
    assert (dossier.answers, dossier.updated_at, dossier.audit_events.count()) == before


def test_a_condition_makes_an_answer_required(commune: Any) -> None:
    telecom = procedure("telecom-installation")
    with translation.override("fr"), pytest.raises(InvalidAnswers) as caught:
        answers_clean(procedure=telecom, answers={**VALID["telecom-installation"], "site_sharing": "true"})
    assert caught.value.errors == {
        "host_operator": [
            "Cette réponse est obligatoire lorsque « Site partagé avec un autre opérateur » vaut « Oui »."
        ]
    }
    cleaned = answers_clean(
        procedure=telecom, answers={**VALID["telecom-installation"], "site_sharing": True, "host_operator": "Orange"}
    )
    assert cleaned["host_operator"] == "Orange"


def test_unknown_answers_and_building_fields_are_refused(commune: Any) -> None:
    with translation.override("en"), pytest.raises(InvalidAnswers) as caught:
        draft("simple-declaration", commune, colour="red")
    assert caught.value.errors == {"colour": ["This procedure's form has no such field."]}
    applicant = UserFactory.create()
    with pytest.raises(InvalidDossier, match="height_m: not fields of simple-declaration"):
        services.dossier_create(
            actor=applicant, address=ADDRESS, procedure=procedure("simple-declaration"), commune=commune, height_m=9
        )
    with pytest.raises(InvalidAnswers):  # the building permit keeps its columns and has no form of its own
        services.dossier_create(
            actor=applicant,
            address=ADDRESS,
            procedure=procedure("building-permit"),
            commune=commune,
            answers={"activity": "grocery"},
        )
    assert not Dossier.objects.exists()


def test_answers_fill_the_typed_columns_dispatch_and_the_public_views_read(commune: Any) -> None:
    declaration = draft("simple-declaration", commune, **VALID["simple-declaration"])
    assert (declaration.activity, declaration.use, declaration.gross_floor_area_m2) == ("grocery", "food", 45.5)
    assert EconomicActivity.objects.get(code="grocery").use == "food"
    classified = draft(
        "classified-establishment", commune, **{**VALID["classified-establishment"], "establishment_class": "1"}
    )
    assert classified.establishment_class == 1 and classified.use == "industrial"
    telecom = draft("telecom-installation", commune, **{**VALID["telecom-installation"], "mast_height": "35"})
    assert telecom.height_m == 35.0
    assert "ONDA" in {target.agency.code for target in dispatch_targets(dossier=telecom)}  # mast above 30 m
    with translation.override("fr"):
        rows = {
            row["key"]: row["value"] for row in answers_display(procedure=telecom.procedure, answers=telecom.answers)
        }
    assert rows["antenna_type"] == "Antenne relais (macro-cellule)" and rows["site_sharing"] == "Non"


def test_a_draft_may_leave_answers_out_but_filing_asks_for_every_required_one(commune: Any) -> None:
    parcel = ParcelFactory.create(commune=commune)
    dossier = draft("simple-declaration", commune, activity="cafe")
    services.dossier_update(actor=dossier.applicant, address=ADDRESS, dossier=dossier, parcels=[parcel])
    documents_attach_mandatory(dossier)
    with translation.override("fr"), pytest.raises(InvalidAnswers) as caught:
        application_signature_write(dossier)  # the applicant's signed form (test data)
        services.dossier_submit(actor=dossier.applicant, address=ADDRESS, dossier=dossier)
    assert caught.value.errors == {
        "premises_area": ["Cette réponse est obligatoire."],
        "opening_hours": ["Cette réponse est obligatoire."],
    }
    dossier.refresh_from_db()
    assert dossier.reference is None
    services.dossier_update(
        actor=dossier.applicant,
        address=ADDRESS,
        dossier=dossier,
        answers={"premises_area": 30, "opening_hours": "7 h - 23 h", "activity": None},
    )
    dossier.refresh_from_db()
    assert "activity" not in dossier.answers and dossier.activity == ""  # a null removes an answer
    services.dossier_update(actor=dossier.applicant, address=ADDRESS, dossier=dossier, answers={"activity": "cafe"})
    application_signature_write(dossier)  # the applicant's signed form (test data)
    submitted = services.dossier_submit(actor=dossier.applicant, address=ADDRESS, dossier=dossier)
    assert submitted.reference and submitted.use == "restaurant"
    assert "SANTE" in {target.agency.code for target in dispatch_targets(dossier=submitted)}  # a café: hygiene


@pytest.mark.parametrize(("class_", "impact_study_required"), [("1", True), ("3", False)])
def test_the_impact_study_is_mandatory_for_a_class_one_establishment(
    class_: str, impact_study_required: bool, commune: Any
) -> None:
    parcel = ParcelFactory.create(commune=commune)
    dossier = draft(
        "classified-establishment", commune, **{**VALID["classified-establishment"], "establishment_class": class_}
    )
    services.dossier_update(actor=dossier.applicant, address=ADDRESS, dossier=dossier, parcels=[parcel])
    missing = {document.code for document in services.documents_missing_mandatory(dossier=dossier)}
    assert ("impact-study" in missing) is impact_study_required
    for code in missing - {"impact-study"}:
        services.document_upload(
            actor=dossier.applicant, address=ADDRESS, dossier=dossier, document_type=code, uploaded_file=upload_file()
        )
    if impact_study_required:
        with pytest.raises(IllegalTransition) as caught:
            application_signature_write(dossier)  # the applicant's signed form (test data)
            services.dossier_submit(actor=dossier.applicant, address=ADDRESS, dossier=dossier)
        assert caught.value.extra["missing_documents"] == ["impact-study"]
        services.document_upload(
            actor=dossier.applicant,
            address=ADDRESS,
            dossier=dossier,
            document_type="impact-study",
            uploaded_file=upload_file(),
        )
    application_signature_write(dossier)  # the applicant's signed form (test data)
    assert services.dossier_submit(actor=dossier.applicant, address=ADDRESS, dossier=dossier).reference


def agencies(dossier: Dossier) -> set[str]:
    return {target.agency.code for target in dispatch_targets(dossier=dossier)}


def test_an_advertising_display_by_the_roadside_consults_the_road_authority(commune: Any) -> None:
    roadside = draft("advertising-display", commune, **{**VALID["advertising-display"], "placement": "roadside"})
    facade = draft("advertising-display", commune, **VALID["advertising-display"])
    assert "DR-METL" in agencies(roadside)
    assert "DR-METL" not in agencies(facade)
    [reason] = next(t for t in dispatch_targets(dossier=roadside) if t.agency.code == "DR-METL").reasons
    assert reason["rule"] == "answer_in" and reason["field"] == "placement" and reason["values"] == ["roadside"]


def test_a_class_one_establishment_consults_environment_and_civil_protection_a_class_three_neither(
    commune: Any,
) -> None:
    class_one = draft(
        "classified-establishment", commune, **{**VALID["classified-establishment"], "establishment_class": "1"}
    )
    class_three = draft("classified-establishment", commune, **VALID["classified-establishment"])
    assert {"ENVIRONNEMENT", "PROTECTION-CIVILE"} <= agencies(class_one)
    assert not {"ENVIRONNEMENT", "PROTECTION-CIVILE"} & agencies(class_three)


def test_telecom_consults_the_regulator(commune: Any) -> None:
    assert "ANRT" in agencies(draft("telecom-installation", commune, **VALID["telecom-installation"]))


def test_an_occupancy_permit_names_its_authorised_permit_and_completion_date(commune: Any) -> None:
    applicant = UserFactory.create()
    building = DossierFactory.create(
        procedure=procedure("building-permit"), commune=commune, applicant=applicant, signed=True
    )
    other = DossierFactory.create(procedure=procedure("building-permit"), commune=commune, signed=True)
    occupancy, created = dossier_start_linked(
        actor=applicant, address=ADDRESS, parent_dossier=building, procedure=procedure("occupancy-permit")
    )
    assert created and occupancy.answers == {"permit_reference": building.reference}
    with translation.override("ar"), pytest.raises(InvalidAnswers) as caught:  # another applicant's permit
        services.dossier_update(
            actor=applicant,
            address=ADDRESS,
            dossier=occupancy,
            answers={"permit_reference": other.reference, "completion_date": "2999-01-01"},
        )
    assert caught.value.errors == {
        "permit_reference": ["أدخل مرجع أحد ملفاتك المرخصة التي يتبعها هذا الملف."],
        "completion_date": ["لا يمكن أن يكون التاريخ في المستقبل."],
    }
    services.dossier_update(
        actor=applicant, address=ADDRESS, dossier=occupancy, answers={"completion_date": "2026-10-01"}
    )
    occupancy.refresh_from_db()
    assert occupancy.answers == {"permit_reference": building.reference, "completion_date": "2026-10-01"}
    assert occupancy.parent_dossier == building and occupancy.height_m == building.height_m  # carried as authorised


def catalogue_with(tmp_path: Path, edit: Any) -> Path:
    data = yaml.safe_load(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))
    edit({procedure["code"]: procedure for procedure in data["procedures"]})
    path = tmp_path / "procedures.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda p: p["advertising-display"]["form_fields"][0].update(type="colour"), "type 'colour' is not one of"),
        (
            lambda p: p["advertising-display"]["occasional_rules"][-1].update(field="position"),
            "names 'position', which is not a field of its form",
        ),
        (
            lambda p: p["advertising-display"]["occasional_rules"][-1].update(values=["rooftop"]),
            "names values rooftop of placement",
        ),
        (
            lambda p: p["classified-establishment"]["form_fields"][1].update(column="height_m"),
            "cannot fill the column 'height_m'",
        ),
        (
            lambda p: p["telecom-installation"]["form_fields"][-1].update(required_when={"field": "later"}),
            "required_when names a field declared before it",
        ),
    ],
)
def test_the_loader_refuses_a_form_that_contradicts_itself(tmp_path: Path, edit: Any, message: str) -> None:
    with pytest.raises(CatalogueError, match=message):
        procedures_load(path=catalogue_with(tmp_path, edit))
