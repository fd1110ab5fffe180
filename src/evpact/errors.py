"""One error type for everything a user can get wrong, so every edge can report it the same way."""


class EvpactError(Exception):
    """A problem with the user's input: printed as one clear message, never as a traceback."""

    def __init__(self, message: str, path: str | None = None) -> None:
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)
