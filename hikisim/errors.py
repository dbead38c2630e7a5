"""The error type for bad user input: scenario files, experiment files and options."""


class InputError(ValueError):
    """Bad input from a user, reported as one line and exit code 2 by the CLI.

    Attributes:
        source: The file or option the bad value came from.
        field: The dotted name of the offending field, if any.
    """

    def __init__(self, message: str, source: str = "", field: str = "") -> None:
        self.source = source
        self.field = field
        where = ": ".join(part for part in (source, field) if part)
        super().__init__(f"{where}: {message}" if where else message)
