"""Cadastral parcels, zoning plans and zones with their rules, overlays and servitudes; spatial look-ups and the
zoning pre-check."""
