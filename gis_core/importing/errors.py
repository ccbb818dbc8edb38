"""The import pipeline's typed errors: bad input is an `ImportInputError` with a message for a person."""


class ImportInputError(ValueError):
    """The source, the options or the field mapping cannot be used; the message says why and what to do."""


class ImportAborted(RuntimeError):
    """An import that failed part-way; the transaction was rolled back and a failed ImportRun recorded."""

    def __init__(self, message: str, run_id: int | None = None) -> None:
        super().__init__(message)
        self.run_id = run_id
