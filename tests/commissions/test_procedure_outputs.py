"""Each procedure's own output (issue 11 §3): the decision document of every procedure of the shipped catalogue, in
French and in Arabic, from its own template, with the file's answers; the authorisation as the legal path stores
and stamps it, the refusal with its reasons; and the simple declaration's receipt, from the desk's decision to the
signed, published file (no commission), verified by pdfsig."""

import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import TestCase

from permits.commissions import pdf
from permits.commissions import services as commission_services
from permits.commissions.models import Commission, OutputKind
from permits.inspections.guards import inspection_required
from permits.models import Decision, Dossier, DossierStatus, Procedure, Role, RoleMembership
from permits.services import procedures_load
from tests.commissions.helpers import BIDI_CONTROLS, latest, pdf_text
from tests.inspections.conftest import closed_inspection
from tests.legal_path import LegalPath, pdfsig_checked
from tests.permits.factories import ADDRESS, DossierFactory, UserFactory, commune_tree, give_all_opinions, staff_for

pytestmark = pytest.mark.django_db

# procedure -> (French and Arabic titles of the authorisation, of the refusal, words of its answers in both languages)
OUTPUTS: dict[str, dict[str, list[str]]] = {
    "occupancy-permit": {
        "granted": ["Permis d'habiter", "رخصة السكن", "achevée le 2026-06-30", "Date d'achèvement des travaux"],
        "refused": ["Arrêté portant refus du permis d'habiter", "قرار برفض رخصة السكن"],
    },
    "certificate-of-conformity": {
        "granted": ["Certificat de conformité", "شهادة المطابقة", "sont conformes au permis de construire n°"],
        "refused": ["Arrêté portant refus du certificat de conformité", "قرار برفض شهادة المطابقة"],
    },
    "classified-establishment": {
        "granted": [
            "Arrêté d'autorisation d'exploiter un établissement classé",
            "قرار الترخيص",
            "مؤسسة مصنفة",
            "établissement classé de 2e classe",
            "Travail des métaux",
            "صناعة المعادن",
            "الصنف الثاني",
        ],
        "refused": [
            "Arrêté portant refus d'autorisation d'exploiter un établissement classé",
            "قرار برفض الترخيص",
        ],
    },
    "telecom-installation": {
        "granted": [
            "Autorisation d'installation de télécommunications",
            "ترخيص تثبيت منشأة",
            "Antenne relais (macro-cellule)",
            "هوائي ترحيل",
            "support de 24 m",
        ],
        "refused": [
            "Arrêté portant refus d'autorisation d'installation de télécommunications",
            "قرار برفض ترخيص تثبيت منشأة",
        ],
    },
    "advertising-display": {
        "granted": [
            "Autorisation d'affichage publicitaire",
            "يرخص بالحامل",
            "pour une durée de 12 mois",
            "en façade",
            "على الواجهة",
        ],
        "refused": ["Arrêté portant refus d'autorisation d'affichage publicitaire", "قرار برفض ترخيص"],
    },
}
# Arabic words are chosen without a lam-alef: pdftotext splits that ligature (الإ reads back as اإل).
REASONS = "Le projet ne respecte pas le règlement local de publicité."


@pytest.fixture
def catalogue(db: Any) -> None:
    procedures_load()


@pytest.fixture
def commune(catalogue: None) -> Any:
    return commune_tree("CASA-ANFA")


def text_of(data: bytes) -> str:
    result = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(BIDI_CONTROLS.sub("", result.stdout.decode("utf-8")).split())


def file_of(code: str, commune: Any) -> Dossier:
    """A file of the procedure under instruction, with the factory's sample answers (a linked one follows an
    authorised building permit of its applicant)."""
    procedure = Procedure.objects.get(code=code)
    linked: dict[str, Any] = {}
    if procedure.parent_id:
        applicant = UserFactory.create()
        parent = DossierFactory.create(procedure=procedure.parent, commune=commune, applicant=applicant, signed=True)
        linked = {"applicant": applicant, "parent_dossier": parent}
    dossier: Dossier = DossierFactory.create(
        procedure=procedure, commune=commune, title="Projet Anfa", under_instruction=True, **linked
    )
    return dossier


def inspected(dossier: Dossier, commune: Any, legal_path: LegalPath) -> None:
    """A procedure decided only after its site inspection: the report closed, conform, by the commune's inspector."""
    if not inspection_required(dossier=dossier):
        return
    inspector = UserFactory.create(first_name="Nadia", last_name="Inspectrice")
    RoleMembership.objects.create(user=inspector, role=Role.INSPECTOR, territory=commune)
    legal_path.pki.user(inspector.get_username(), display_name=inspector.get_full_name())
    closed_inspection(dossier, {**staff_for(commune), "inspector": inspector})


@pytest.mark.parametrize("code", sorted(OUTPUTS))
def test_each_procedure_has_its_own_decision_in_french_and_arabic(
    code: str, commune: Any, legal_path: LegalPath
) -> None:
    dossier = file_of(code, commune)
    inspected(dossier, commune, legal_path)
    examination = legal_path.decide(dossier)
    assert dossier.status == DossierStatus.DECIDED
    decision = examination.outputs.get(kind=OutputKind.DECISION)
    text = pdf_text(latest(decision))  # as stored and stamped by the output machinery
    for words in OUTPUTS[code]["granted"]:
        assert words in text, (words, text)
    assert str(dossier.reference) in text
    if dossier.parent_dossier is not None:
        assert str(dossier.parent_dossier.reference) in text
    for words in OUTPUTS[code]["refused"]:
        assert words not in text

    examination.dossier.decision = Decision.UNFAVOURABLE  # the same file refused: its refusal, with the reasons
    examination.dossier.decision_motivation = REASONS
    refused = text_of(pdf.decision_pdf(examination=examination))
    for words in [*OUTPUTS[code]["refused"], "Motifs du refus", REASONS, "أسباب الرفض"]:
        assert words in refused, (words, refused)


def test_the_building_permit_keeps_its_own_decision(commune: Any, legal_path: LegalPath) -> None:
    dossier = file_of("building-permit", commune)
    examination = legal_path.decide(dossier)
    text = pdf_text(latest(examination.outputs.get(kind=OutputKind.DECISION)))
    assert "Arrêté portant permis de construire" in text and "قرار بمنح رخصة البناء" in text


def test_a_simple_declaration_is_receipted_by_the_desk_then_signed_and_published(
    commune: Any, legal_path: LegalPath, tmp_path: Path
) -> None:
    dossier = file_of("simple-declaration", commune)
    assert not Commission.objects.filter(procedures=dossier.procedure).exists()  # no commission: the service decides
    give_all_opinions(dossier)
    desk = staff_for(commune)["desk_agent"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        [receipt] = commission_services.service_decide(
            actor=desk, address=ADDRESS, dossier=dossier, decision=Decision.FAVOURABLE
        )
    assert receipt.kind == OutputKind.DECISION and receipt.examination is None
    text = pdf_text(latest(receipt))
    for words in (
        "Récépissé de déclaration d'activité",
        "Il est donné récépissé de la déclaration de l'activité « Épicerie (grocery) »",
        "horaires : 8 h - 20 h",
        "وصل التصريح بمزاولة نشاط",
        "بقالة",
        "مصلحة الشؤون",
    ):
        assert words in text, (words, text)
    published = legal_path.sign_all(dossier)
    assert published.status == DossierStatus.PUBLISHED
    [report] = pdfsig_checked(published, legal_path.pki, tmp_path).values()
    assert "Signature is Valid" in report

    published.decision, published.decision_motivation = Decision.UNFAVOURABLE, "Local non conforme à l'hygiène."
    refused = text_of(pdf.service_decision_pdf(dossier=published))
    for words in (
        "Refus de délivrance du récépissé de déclaration",
        "Local non conforme à l'hygiène.",
        "رفض تسليم وصل التصريح",
    ):
        assert words in refused, (words, refused)
