"""The open-data portal: indicators, dataset downloads and their DCAT catalogue."""
