"""Electronic signatures: development PKI, RFC 3161 timestamps, PAdES signing, stamps with QR codes, verification.

A self-contained kernel app (label `signing`): the permits domain signs its PVs, decisions and plans through
`services.pdf_sign` / `services.document_stamp` and writes its own audit events; the public checks
`/verify/<token>/`. Nothing here imports permits, parcels or web.
"""
