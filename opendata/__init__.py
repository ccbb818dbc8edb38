"""Indicators, downloads and the DCAT catalogue: nothing here yet."""
