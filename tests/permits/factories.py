"""Factories of the permits domain. A dossier reaches a status through the real services (one trait per status):

    DossierFactory.create(under_instruction=True)   # filed, complete, dispatched

The staff that runs those steps (a desk agent, a president, a signing authority of the commune, one member per
consulted agency) is created on demand by `staff_for`. Before submitting, the journey uploads a one-page PDF for
each mandatory document of the procedure that has none yet (`documents_attach_mandatory`), so that catalogue
procedures pass the completeness rule, and records the applicant's signature of the application form as test data
(`application_signature_write`; `application_sign` runs the real path: code, rendering, PAdES seal); point
`STORAGES["documents"]` at a temporary directory in such tests.

Decided, signed and published: production has one path there, the commission's session with its quorum and the
verified PAdES signatures of the decision (`tests.legal_path` runs it, certificates and all). Tests that only need
a file in one of those statuses for something else (the map, tiles, OGC, linked files) get it from the traits
`decided`, `signed`, `published`, which write it as test data (`decided_state_write`: the machine's
`status_write`, the audit events and the domain events of the transitions, so that subscribers react as in
production); production code has no such bypass (`tests/permits/test_status_writers.py`).

A dossier's `use` is a code of the catalogue's uses: the factory makes sure its own exists (`catalogue_uses()` loads
the shipped list, labels included, for the pages that offer it).
"""

import io
import re
from pathlib import Path
from typing import Any, cast

import factory
import yaml
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gis_core.documents.services import document_store
from gis_core.documents.validation import DocumentKind
from gis_core.notifications.models import Delivery
from gis_core.signing.pki import DevelopmentPki
from parcels.models import Agency
from permits import services
from permits.answers import answers_clean, answers_columns, procedure_form
from permits.application_form.facts import application_facts, content_sha256
from permits.models import (
    SIGNED_APPLICATION,
    ApplicationCode,
    ApplicationSignature,
    ConsultationStatus,
    Decision,
    DecisionPath,
    Dossier,
    DossierDocument,
    DossierStatus,
    OpinionValue,
    PermanentMember,
    Procedure,
    ProcedureFamily,
    ProcedureStep,
    ProjectUse,
    Role,
    RoleMembership,
    StepDeadline,
)
from permits.services import application as application_services
from permits.services.catalogue import DEFAULT_CATALOGUE, uses_load
from permits.services.common import audit_and_publish
from tests.documents.files import image_bytes, pdf_bytes
from tests.factories import AgencyFactory, TerritoryFactory, box

ADDRESS = "192.0.2.10"


def catalogue_uses() -> None:
    """The catalogue's uses as shipped (permits/fixtures/procedures.yaml): the codes a project's `use` may take.
    Tests load them themselves: a transactional test elsewhere flushes what the migration seeded."""
    uses_load(yaml.safe_load(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))["uses"])


FOOTPRINT = box(-71.11995, 42.37005, -71.11975, 42.37025)  # inside the default ParcelFactory parcel


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")

    @factory.post_generation
    def email_verified(self, create: bool, extracted: bool | None, **kwargs: Any) -> None:
        """`UserFactory.create(email_verified=True)`: the account verified its e-mail (allauth's EmailAddress), as
        mandates require before an invitation reaches it."""
        if create and extracted:
            verify_email(cast(User, self))


def verify_email(user: User) -> User:
    """The user proved they own their e-mail address (allauth's verification, as after the link in the e-mail)."""
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user


class RoleMembershipFactory(factory.django.DjangoModelFactory[RoleMembership]):
    class Meta:
        model = RoleMembership

    user = factory.SubFactory(UserFactory)
    role = Role.DESK_AGENT
    territory = None
    agency = None


class ProcedureFactory(factory.django.DjangoModelFactory[Procedure]):
    """A small procedure: one permanent member agency, 10 business days for opinions."""

    class Meta:
        model = Procedure
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"procedure-{n}")
    name_fr = factory.LazyAttribute(lambda o: f"Procédure {o.code}")
    family = ProcedureFamily.URBANISM

    @factory.post_generation
    def catalogue(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        procedure = cast(Procedure, self)
        StepDeadline.objects.get_or_create(
            procedure=procedure, step=ProcedureStep.CONSULTATION, defaults={"business_days": 10}
        )
        agency = AgencyFactory.create(code="PERMANENT-AGENCY", name_fr="Agence permanente")
        PermanentMember.objects.get_or_create(procedure=procedure, agency=agency)


def commune_tree(code: str = "CASA-ANFA") -> Any:
    """A commune under a province under a region (codes `<code>`, `<code>-PROV`, `<code>-REG`)."""
    region = TerritoryFactory.create(code=f"{code}-REG", region=True)
    province = TerritoryFactory.create(code=f"{code}-PROV", province=True, parent=region)
    return TerritoryFactory.create(code=code, parent=province)


def member_for(agency: Agency) -> User:
    user = UserFactory.create(username=f"member-{agency.code.lower()}")
    RoleMembership.objects.get_or_create(user=user, role=Role.COMMISSION_MEMBER, agency=agency, territory=None)
    return user


def staff_for(commune: Any) -> dict[str, User]:
    """Desk agent, president and signing authority of a commune."""
    staff = {}
    for role in (Role.DESK_AGENT, Role.COMMISSION_PRESIDENT, Role.SIGNING_AUTHORITY):
        user = UserFactory.create(username=f"{role}-{commune.code.lower()}")
        RoleMembership.objects.get_or_create(user=user, role=role, territory=commune, agency=None)
        staff[str(role)] = user
    return staff


def upload_file(name: str = "plan.pdf", content: bytes | None = None) -> SimpleUploadedFile:
    """A small upload: a one-page PDF unless `content` is given."""
    return SimpleUploadedFile(name, pdf_bytes() if content is None else content)


def documents_attach_mandatory(dossier: Dossier) -> list[Any]:
    """Upload, as the applicant, one version of each mandatory document the file still lacks (PDF, or a PNG
    when the catalogue accepts images only)."""
    uploaded = []
    for required in services.documents_missing_mandatory(dossier=dossier):
        formats = {value.lower() for value in required.accepted_formats}
        if formats and "pdf" not in formats:
            content, name = image_bytes("PNG"), f"{required.code}.png"
        else:
            content, name = pdf_bytes(), f"{required.code}.pdf"
        uploaded.append(
            services.document_upload(
                actor=dossier.applicant,
                address=ADDRESS,
                dossier=dossier,
                document_type=required.code,
                uploaded_file=upload_file(name, content),
            )
        )
    return uploaded


def application_seal_ready() -> None:
    """The seal's PKCS#12 in the development PKI the settings name (what `make` does with `signing_dev_pki --users
    application-seal`), made once per PKI directory."""
    DevelopmentPki(Path(settings.SIGNING_PKI_DIR)).user(
        settings.APPLICATION_SEAL_SIGNER, display_name="Urbaplan - sceau des demandes"
    )


def application_code_sent(code: ApplicationCode) -> str:
    """The six digits of the message the applicant received for `code`, read from its notification delivery while it
    is not sent yet (once sent, a secret delivery's text is removed: read the SMTP server or the SMS gateway then)."""
    delivery = Delivery.objects.filter(event_key="application.code").order_by("-pk").first()
    assert delivery is not None, "no code was sent"
    assert delivery.status != Delivery.Status.SENT, "the code was sent and removed from the delivery"
    found = re.search(r"\b(\d{6})\b", delivery.body)
    assert found is not None, delivery.body
    return found.group(1)


def application_sign(dossier: Dossier, *, channel: str = "email") -> ApplicationSignature:
    """The applicant signs the form of the file as it stands: consent, a code by `channel`, the code typed."""
    application_seal_ready()
    code = application_services.application_code_request(
        actor=dossier.applicant, address=ADDRESS, dossier=dossier, channel=channel, consent=True
    )
    return application_services.application_sign(
        actor=dossier.applicant, address=ADDRESS, dossier=dossier, code=application_code_sent(code)
    )


def application_signature_write(dossier: Dossier) -> ApplicationSignature:
    """Test data only: the applicant's signature of the form of the file's current content, recorded as the real
    path records it (a spent code, the `signed-application` document, the signature row) but with a plain one-page
    PDF instead of the rendered and sealed form, which costs seconds per file. Tests of the signing itself use
    `application_sign` (the real path); production code has no such writer."""
    dossier = Dossier.objects.get(pk=dossier.pk)  # as stored, whatever the caller's copy says
    fingerprint = content_sha256(application_facts(dossier=dossier))
    now = timezone.now()
    code = ApplicationCode.objects.create(
        dossier=dossier,
        user=dossier.applicant,
        channel="email",
        destination_masked="t•••@example.org",
        code_hash="test-data",
        content_sha256=fingerprint,
        expires_at=now,
        attempts=1,
        used_at=now,
    )
    stored = document_store(
        stream=io.BytesIO(pdf_bytes()), filename=f"application-{dossier.pk}.pdf", allowed_kinds=(DocumentKind.PDF,)
    )
    document = DossierDocument.objects.create(
        dossier=dossier,
        document_type=SIGNED_APPLICATION,
        round_number=dossier.current_round,
        stored_document=stored,
        uploaded_by=dossier.applicant,
    )
    return ApplicationSignature.objects.create(
        dossier=dossier,
        document=document,
        code=code,
        signer=dossier.applicant,
        content_sha256=fingerprint,
        signed_at=now,
    )


def submit(dossier: Dossier) -> Dossier:
    """Attach the mandatory documents, record the applicant's signature of the form (test data), file."""
    documents_attach_mandatory(dossier)
    application_signature_write(dossier)
    return services.dossier_submit(actor=dossier.applicant, address=ADDRESS, dossier=dossier)


def give_all_opinions(dossier: Dossier, opinion: str = OpinionValue.FAVOURABLE) -> None:
    for consultation in dossier.consultations.filter(status=ConsultationStatus.PENDING).select_related("agency"):
        services.opinion_give(
            actor=member_for(consultation.agency),
            address=ADDRESS,
            consultation=consultation,
            opinion=opinion,
            motivation="ok",
        )


def send_to_commission(dossier: Dossier, desk: User) -> Dossier:
    give_all_opinions(dossier)
    return services.dossier_send_to_commission(actor=desk, address=ADDRESS, dossier=dossier)


# Test data set-up: the steps to publication, as (status, transition, staff role that runs it).
DECIDED_STEPS = (
    (DossierStatus.DECIDED, "decide", "commission_president"),
    (DossierStatus.SIGNED, "sign", "signing_authority"),
    (DossierStatus.PUBLISHED, "publish", "desk_agent"),
)
DECIDED_STATUSES: list[str] = [target for target, _action, _role in DECIDED_STEPS]


def decided_state_write(
    dossier: Dossier, status: str, *, decision: str = Decision.FAVOURABLE, motivation: str = "", conditions: str = ""
) -> Dossier:
    """Test data only: bring a file in commission (under instruction, for a procedure decided by a service) to
    `status` (decided, signed or published) as the commission's session (the service's decision) and the signatures
    would, without them: each step is written through the machine's `status_write`, with its audit event and its
    domain event (`dossier.decide` or `.decide_without_commission`, `.sign`, `.publish`: the caches and the
    notifications react). For the decision itself, and its refusals, use `tests.legal_path`."""
    dossier.refresh_from_db()
    staff = staff_for(dossier.commune)
    now = timezone.now()
    by_service = dossier.procedure.decided_by == DecisionPath.SERVICE
    done = DECIDED_STATUSES.index(dossier.status) + 1 if dossier.status in DECIDED_STATUSES else 0
    for target, action, role in DECIDED_STEPS[done : DECIDED_STATUSES.index(status) + 1]:
        if target == DossierStatus.DECIDED:
            dossier.decision, dossier.decided_at = decision, now
            dossier.decision_motivation, dossier.decision_conditions = motivation, conditions
            if by_service:
                action, role = "decide_without_commission", "desk_agent"
        elif target == DossierStatus.SIGNED:
            dossier.signed_at = now
        else:
            dossier.published_at = now
        previous = dossier.status
        dossier.status_write(target)
        audit_and_publish(
            dossier=dossier,
            actor=staff[role],
            address=ADDRESS,
            action=f"dossier.{action}",
            payload={"from": previous, "to": target, "reference": dossier.reference, "decision": dossier.decision},
        )
    return dossier


# The steps that bring a dossier from one status to the next, in journey order.
JOURNEY: dict[str, tuple[str, Any]] = {
    DossierStatus.SUBMITTED: (
        DossierStatus.DRAFT,
        lambda d, s: submit(d),
    ),
    DossierStatus.INCOMPLETE: (
        DossierStatus.SUBMITTED,
        lambda d, s: services.dossier_check_completeness(
            actor=s["desk_agent"], address=ADDRESS, dossier=d, complete=False, missing_documents=["architectural-plans"]
        ),
    ),
    DossierStatus.UNDER_INSTRUCTION: (
        DossierStatus.SUBMITTED,
        lambda d, s: services.dossier_check_completeness(
            actor=s["desk_agent"], address=ADDRESS, dossier=d, complete=True
        ),
    ),
    DossierStatus.REMARKS_ISSUED: (
        DossierStatus.UNDER_INSTRUCTION,
        lambda d, s: services.remark_issue(
            actor=s["desk_agent"], address=ADDRESS, dossier=d, text="Show the setback on the ground-floor plan."
        ),
    ),
    DossierStatus.AWAITING_APPLICANT: (
        DossierStatus.REMARKS_ISSUED,
        lambda d, s: services.remarks_send_to_applicant(actor=s["desk_agent"], address=ADDRESS, dossier=d),
    ),
    DossierStatus.IN_COMMISSION: (
        DossierStatus.UNDER_INSTRUCTION,
        lambda d, s: send_to_commission(d, s["desk_agent"]),
    ),
    DossierStatus.WITHDRAWN: (
        DossierStatus.DRAFT,
        lambda d, s: services.dossier_withdraw(actor=d.applicant, address=ADDRESS, dossier=d, reason="changed my mind"),
    ),
}


def advance(dossier: Dossier, status: str) -> Dossier:
    """Drive a dossier through the real services until it reaches `status` (decided, signed, published: to the
    commission, or every opinion given for a procedure decided by a service, then `decided_state_write`)."""
    if status in DECIDED_STATUSES:
        if dossier.procedure.decided_by == DecisionPath.SERVICE:
            advance(dossier, DossierStatus.UNDER_INSTRUCTION)
            give_all_opinions(dossier)
        else:
            advance(dossier, DossierStatus.IN_COMMISSION)
        return decided_state_write(dossier, status)
    path = []
    target = status
    while target != DossierStatus.DRAFT:
        path.append(target)
        target = JOURNEY[target][0]
    for step in reversed(path):
        dossier.refresh_from_db()
        if dossier.status == step:
            continue
        JOURNEY[step][1](dossier, staff_for(dossier.commune))
    dossier.refresh_from_db()
    return dossier


# Answers to each procedure's own form (permits/fixtures/procedures.yaml) a factory file carries unless told
# otherwise; an `establishment_class` given to the factory (it has no default) replaces the class answered.
SAMPLE_ANSWERS: dict[str, dict[str, Any]] = {
    "simple-declaration": {"activity": "grocery", "premises_area": 60, "opening_hours": "8 h - 20 h"},
    "classified-establishment": {"establishment_class": "2", "activity": "metal-works", "hazards": "Bruit, fumées"},
    "telecom-installation": {
        "antenna_type": "macro_cell",
        "mast_height": 24,
        "transmit_power": 40,
        "site_sharing": False,
    },
    "advertising-display": {
        "display_width": 4,
        "display_height": 3,
        "lit": False,
        "placement": "facade",
        "duration_months": 12,
    },
    "occupancy-permit": {"completion_date": "2026-06-30"},
    "certificate-of-conformity": {"completion_date": "2026-06-30"},
}


def own_form_fields(procedure: Procedure, fields: dict[str, Any]) -> dict[str, Any]:
    """The answers (checked by the one validator) and the typed columns of a factory file of a procedure with its own
    form: the sample answers (a class given replacing the one answered); the building parameters the procedure does not
    ask for are left empty (a linked file keeps its parent's, as authorised)."""
    answers = dict(SAMPLE_ANSWERS.get(procedure.code, {}))
    for spec in procedure_form(procedure):
        if spec.column == "establishment_class" and fields.get(spec.column) is not None:
            answers[spec.key] = str(fields[spec.column]) if spec.type == "choice" else fields[spec.column]
        if spec.type == "parent_file" and fields.get("parent_dossier") is not None:
            answers[spec.key] = fields["parent_dossier"].reference
    cleaned = answers_clean(procedure=procedure, answers=answers, applicant=fields.get("applicant"), complete=False)
    columns = answers_columns(procedure=procedure, answers=cleaned)
    empty = (
        {}
        if procedure.parent_id
        else {**dict.fromkeys(("height_m", "floors", "gross_floor_area_m2", "units")), "use": ""}
    )
    return {**empty, **columns, "answers": cleaned}


class DossierFactory(factory.django.DjangoModelFactory[Dossier]):
    """A draft by default; `DossierFactory.create(<status>=True)` reaches that status through the services."""

    class Meta:
        model = Dossier
        skip_postgeneration_save = True

    procedure = factory.SubFactory(ProcedureFactory)
    commune = factory.LazyFunction(commune_tree)
    applicant = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"House {n}")
    footprint = factory.LazyFunction(lambda: FOOTPRINT.clone())
    height_m = 9.0
    floors = 3
    gross_floor_area_m2 = 300.0
    use = "residential"
    units = 2

    reach = DossierStatus.DRAFT  # not a model field: `_create` drives the draft there through the services

    class Params:
        submitted = factory.Trait(reach=DossierStatus.SUBMITTED)
        incomplete = factory.Trait(reach=DossierStatus.INCOMPLETE)
        under_instruction = factory.Trait(reach=DossierStatus.UNDER_INSTRUCTION)
        remarks_issued = factory.Trait(reach=DossierStatus.REMARKS_ISSUED)
        awaiting_applicant = factory.Trait(reach=DossierStatus.AWAITING_APPLICANT)
        in_commission = factory.Trait(reach=DossierStatus.IN_COMMISSION)
        decided = factory.Trait(reach=DossierStatus.DECIDED)
        signed = factory.Trait(reach=DossierStatus.SIGNED)
        published = factory.Trait(reach=DossierStatus.PUBLISHED)
        withdrawn = factory.Trait(reach=DossierStatus.WITHDRAWN)

    @classmethod
    def _create(cls, model_class: type[Dossier], *args: Any, **kwargs: Any) -> Dossier:
        reach = kwargs.pop("reach", DossierStatus.DRAFT)
        parcels = kwargs.pop("parcels", None)
        procedure = kwargs.get("procedure")
        if procedure is not None and procedure.form_fields and "answers" not in kwargs:
            kwargs.update(own_form_fields(procedure, kwargs))
        if kwargs.get("use"):  # a code of the catalogue's uses, as the services require
            ProjectUse.objects.get_or_create(code=kwargs["use"], defaults={"label_fr": kwargs["use"]})
        dossier = super()._create(model_class, *args, **kwargs)
        if parcels:
            dossier.parcels.set(parcels)
        if reach != DossierStatus.DRAFT:
            advance(dossier, reach)
        return dossier
