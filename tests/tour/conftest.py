from tests.legal_path import legal_path, pki  # noqa: F401  (the development PKI for the tour's signatures)
