"""Domain errors. The API maps them to HTTP responses in one place; pages show
their message. They carry a user-facing, translatable message."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the operation."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    """The acting user may not do this (wrong role or organisation)."""


class InvalidState(DomainError):
    """The object is not in a state that allows this (for example a used invitation)."""
