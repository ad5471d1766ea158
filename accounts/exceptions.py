"""Domain errors. The API maps them to HTTP responses in one place; pages show
their message. They carry a user-facing, translatable message."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the operation. ``code`` names the kind of
    refusal for machines (the API's ``error``); ``message`` is for people."""

    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    """The acting user may not do this (wrong role or organisation)."""

    code = "forbidden"


class SecondFactorRequired(NotAllowed):
    """The acting user holds the power, but has not passed the second factor it
    needs in this session (see ``accounts.selectors.user_second_factor_missing``)."""

    code = "second_factor_required"


class InvalidState(DomainError):
    """The object is not in a state that allows this (for example a used invitation)."""

    code = "conflict"
