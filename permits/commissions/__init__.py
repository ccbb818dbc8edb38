"""Commissions of the permits domain: sessions, slot booking, agendas, examinations, PVs, decisions, signatures.

A nested app (label `commissions`): commissions per territory and procedure family with their members and quorum,
sessions generated from recurring schedules (public holidays skipped), slots booked by applicants (one file per
slot, enforced by the database), agendas sent to the members, the examination of each file in session (attendance,
member opinions, joint opinion), the president's decision from that examination through
`permits.services.dossier_decide` (the only way a file of a commission's procedure is decided), the decision of a
service for the procedures that need no commission, and the output PDFs (PV, bilingual decision, stamped plans)
signed in sequence through `gis_core.signing`; the last verified signature moves the file to signed, then
published. See `README.md`.
"""
