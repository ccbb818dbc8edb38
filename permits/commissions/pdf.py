"""Output PDFs of the commissions, from HTML templates rendered by WeasyPrint (HarfBuzz shaping: Arabic and RTL).

`agenda_pdf`, `minutes_pdf`, `decision_pdf` and `service_decision_pdf` (a procedure decided without a
commission) return PDF bytes; the services store them in `gis_core.documents`.
The decision template is chosen per procedure: `commissions/pdf/decision_<procedure code>.html` (a service's:
`decision_service_<procedure code>.html`), else `commissions/pdf/decision.html` (`decision_service.html`); the
per-procedure ones extend `decision_procedure.html` (title, legal basis, what is decided, the file's answers in
French and Arabic, the conditions or the reasons of a refusal; kept to one page). Every document is bilingual
(French, then Arabic right-to-left). Fonts: the `COMMISSIONS_PDF_FONT_FAMILY` setting (default "DejaVu Sans",
which has Arabic glyphs; Debian fonts-dejavu-core).
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string, select_template
from django.utils import timezone, translation

from permits.answers import answers_display
from permits.commissions.models import Attendance, Examination, MemberOpinion, Session
from permits.commissions.selectors import AgendaEntry
from permits.models import Decision, Dossier, OpinionValue

OPINION_LABELS: dict[str, tuple[str, str]] = {
    OpinionValue.FAVOURABLE: ("Favorable", "موافق"),
    OpinionValue.FAVOURABLE_WITH_RESERVATIONS: ("Favorable avec réserves", "موافق مع تحفظات"),
    OpinionValue.UNFAVOURABLE: ("Défavorable", "غير موافق"),
}
DECISION_LABELS: dict[str, tuple[str, str]] = {
    Decision.FAVOURABLE: ("Autorisation accordée", "الترخيص ممنوح"),
    Decision.FAVOURABLE_WITH_CONDITIONS: ("Autorisation accordée sous conditions", "الترخيص ممنوح بشروط"),
    Decision.UNFAVOURABLE: ("Refus d'autorisation", "رفض الترخيص"),
}


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment)


def _answers_context(dossier: Dossier) -> dict[str, Any]:
    """The file's answers to its procedure's own form as bilingual rows (label and value in words in French and in
    Arabic, unit), each answer also by its key (`answer_words_fr.activity`), and the authorised file it follows."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for language in ("fr", "ar"):
        with translation.override(language):
            rows[language] = answers_display(procedure=dossier.procedure, answers=dossier.answers or {})
    return {
        "answers": dossier.answers or {},
        "answer_rows": [
            {**french, "label_ar": arabic["label"], "value_ar": arabic["value"]}
            for french, arabic in zip(rows["fr"], rows["ar"], strict=True)
        ],
        "answer_words_fr": {row["key"]: row["value"] for row in rows["fr"]},
        "answer_words_ar": {row["key"]: row["value"] for row in rows["ar"]},
        "parent": dossier.parent_dossier,
    }


def render_pdf(*, template_names: list[str], context: dict[str, Any], pdf_variant: str | None = None) -> bytes:
    """Render the first existing template of `template_names` to PDF bytes (`pdf_variant`: WeasyPrint's, e.g.
    "pdf/a-3b" for an archival PDF/A, fonts embedded, metadata in XMP)."""
    from weasyprint import HTML  # imported here: loading Pango costs ~0.3 s, only PDF writers pay it

    template = select_template(template_names)
    font = settings.COMMISSIONS_PDF_FONT_FAMILY
    html = render_to_string(template.template.name, {**context, "font_family": font})
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant=pdf_variant)
    assert pdf is not None
    return bytes(pdf)


def agenda_pdf(*, session: Session, entries: list[AgendaEntry]) -> bytes:
    members = session.commission.members.filter(active=True).select_related("user", "agency")
    return render_pdf(
        template_names=["commissions/pdf/agenda.html"],
        context={
            "session": session,
            "commission": session.commission,
            "starts_at": _local(session.starts_at),
            "ends_at": _local(session.ends_at),
            "entries": [
                {"entry": entry, "starts_at": _local(entry.starts_at), "ends_at": _local(entry.ends_at)}
                for entry in entries
            ],
            "members": members,
            "generated_at": _local(timezone.now()),
        },
    )


def _examination_context(examination: Examination) -> dict[str, Any]:
    session = examination.session
    dossier = examination.dossier
    attendances = Attendance.objects.filter(session=session).select_related("member__user", "member__agency")
    opinions = MemberOpinion.objects.filter(examination=examination).select_related("member__user", "agency")
    decision_fr, decision_ar = DECISION_LABELS.get(dossier.decision, ("", ""))
    joint_fr, joint_ar = OPINION_LABELS[examination.joint_opinion]
    return {
        "examination": examination,
        "session": session,
        "commission": session.commission,
        "dossier": dossier,
        "procedure": dossier.procedure,
        "commune": dossier.commune,
        "starts_at": _local(session.starts_at),
        "present": [attendance.member for attendance in attendances if attendance.present],
        "absent": [attendance.member for attendance in attendances if not attendance.present],
        "opinions": [
            {
                "opinion": opinion,
                "label_fr": OPINION_LABELS[opinion.opinion][0],
                "label_ar": OPINION_LABELS[opinion.opinion][1],
                "name": opinion.member.user.get_full_name() or opinion.member.user.get_username(),
            }
            for opinion in opinions
        ],
        "joint_fr": joint_fr,
        "joint_ar": joint_ar,
        "decision_fr": decision_fr,
        "decision_ar": decision_ar,
        "authorised": dossier.decision in (Decision.FAVOURABLE, Decision.FAVOURABLE_WITH_CONDITIONS),
        "decided_at": _local(dossier.decided_at or timezone.now()),
        "generated_at": _local(timezone.now()),
        **_answers_context(dossier),
    }


def service_decision_pdf(*, dossier: Dossier) -> bytes:
    """The decision of a service, for a procedure decided without a commission (per procedure template, else
    `commissions/pdf/decision_service.html`), in French and Arabic."""
    procedure = dossier.procedure
    decision_fr, decision_ar = DECISION_LABELS.get(dossier.decision, ("", ""))
    return render_pdf(
        template_names=[
            f"commissions/pdf/decision_service_{procedure.code}.html",
            "commissions/pdf/decision_service.html",
        ],
        context={
            # the page header reads the issuer's territory as a commission's
            "commission": {"territory": dossier.commune, "name_fr": procedure.commission_name_fr},
            "dossier": dossier,
            "procedure": procedure,
            "commune": dossier.commune,
            "decision_fr": decision_fr,
            "decision_ar": decision_ar,
            "authorised": dossier.decision in (Decision.FAVOURABLE, Decision.FAVOURABLE_WITH_CONDITIONS),
            "decided_at": _local(dossier.decided_at or timezone.now()),
            "generated_at": _local(timezone.now()),
            **_answers_context(dossier),
        },
    )


def minutes_pdf(*, examination: Examination) -> bytes:
    """The PV of the file's examination: attendance, every member's opinion and motivation, joint opinion."""
    return render_pdf(template_names=["commissions/pdf/minutes.html"], context=_examination_context(examination))


def decision_pdf(*, examination: Examination) -> bytes:
    """The decision (authorisation or refusal with its reasons), in French and Arabic, per procedure template."""
    code = examination.dossier.procedure.code
    return render_pdf(
        template_names=[f"commissions/pdf/decision_{code}.html", "commissions/pdf/decision.html"],
        context=_examination_context(examination),
    )


def tacit_attestation_pdf(*, dossier: Dossier, filed_on: Any, deadline: Any, legal_sources: dict[str, str]) -> bytes:
    """The attestation of tacit authorisation (the administration's silence past the legal limit), in French and
    Arabic: the filing date, the expired deadline and the text that gives silence this value, in each language."""
    procedure = dossier.procedure
    return render_pdf(
        template_names=[
            f"commissions/pdf/tacit_attestation_{procedure.code}.html",
            "commissions/pdf/tacit_attestation.html",
        ],
        context={
            "commission": {"territory": dossier.commune, "name_fr": procedure.commission_name_fr},
            "dossier": dossier,
            "procedure": procedure,
            "commune": dossier.commune,
            "filed_on": filed_on,
            "deadline": deadline,
            "legal_source_fr": legal_sources.get("fr", ""),
            "legal_source_ar": legal_sources.get("ar", ""),
            "decided_at": _local(dossier.decided_at or timezone.now()),
            "generated_at": _local(timezone.now()),
        },
    )
