"""The commission's lists are read in a fixed number of queries: a session's examination rows, its attendance
list, the agendas of the coming sessions, the free slots, the signature queues and the files behind them take as
many queries for many rows as for one (everything the pages and the API show of each row included)."""

from typing import Any

from permits.commissions import selectors
from permits.commissions.models import OutputKind, SignatureRequest
from tests.commissions.conftest import World
from tests.commissions.growing import NOW, Read, assert_same_queries_as_rows_grow, files_of_each_kind, grow
from tests.permits.factories import DossierFactory


def test_session_reads_take_as_many_queries_for_many_rows_as_for_one(
    world: World, django_capture_on_commit_callbacks: Any, django_assert_num_queries: Any
) -> None:
    files_of_each_kind(world, django_capture_on_commit_callbacks, 0, 0)
    session = world.sessions()[0]

    def examination_rows() -> int:
        shown: list[Any] = []
        for row in selectors.examination_rows(session=session):
            shown.append((row.dossier.reference, row.entry))
            shown += [(item.agency.code, item.round.number) for item in row.consultations]
            shown += [(item.output.kind, item.verify) for item in row.outputs]
            if row.examination is not None:
                opinions = row.examination.member_opinions.all()
                shown += [(item.member.user.get_username(), item.agency.code) for item in opinions]
        return len(shown)

    def attendance() -> int:
        found = selectors.session_attendance(session=session)
        shown = [(row.member.user.get_username(), row.member.agency.code, row.present) for row in found.members]
        return len(shown) + len(found.quorum.present)

    def agendas(user: Any) -> Read:
        def read() -> int:
            overviews = selectors.session_overviews(user=user, sessions=selectors.sessions_for(user=user, now=NOW))
            shown = [(item.session.commission.name_fr, item.runner, item.agenda_output) for item in overviews]
            return len(shown) + sum(len(item.agenda) for item in overviews)

        return read

    def workspace() -> int:
        sessions = selectors.member_workspace(user=world.permanent.user, now=NOW)
        return len(sessions) + sum(len(item.agenda) + bool(item.agenda_document) for item in sessions)

    reads: dict[str, Read] = {
        "examination rows": examination_rows,
        "attendance": attendance,
        "member's agendas": agendas(world.permanent.user),
        "president's agendas": agendas(world.staff["commission_president"]),
        "member workspace": workspace,
    }
    assert_same_queries_as_rows_grow(
        reads, lambda: grow(world, django_capture_on_commit_callbacks), django_assert_num_queries
    )


def test_signature_queues_and_free_slots_take_as_many_queries_for_many_rows_as_for_one(
    world: World, django_capture_on_commit_callbacks: Any, django_assert_num_queries: Any
) -> None:
    files_of_each_kind(world, django_capture_on_commit_callbacks, 0, 0)
    complete = DossierFactory.create(procedure=world.procedure, under_instruction=True)
    first_minutes_signer = SignatureRequest.objects.get(output__kind=OutputKind.MINUTES, position=1).signer

    def queue(user: Any) -> Read:
        def read() -> int:
            pending = selectors.signature_requests_pending_for(user=user)
            signed = selectors.signature_requests_signed_by(user=user)
            shown: list[Any] = [item.output.dossier.reference for item in pending if item.output.dossier]
            for file in selectors.signature_files_for(requests=[*pending, *signed]):
                for output in file.outputs:
                    shown.append((file.dossier.reference, output.output.kind, output.verify))
                    shown += [(request.position, request.signer.get_username()) for request in output.requests]
            return len(shown)

        return read

    reads: dict[str, Read] = {
        "signing authority's queue": queue(world.staff["signing_authority"]),
        "first minutes signer's queue": queue(first_minutes_signer),
        "free slots": lambda: len(selectors.slots_free_for(dossier=complete, now=NOW)),
    }
    assert_same_queries_as_rows_grow(
        reads, lambda: grow(world, django_capture_on_commit_callbacks), django_assert_num_queries
    )
