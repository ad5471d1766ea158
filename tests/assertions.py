"""Assertions shared across test modules."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import DataError, IntegrityError, transaction


def assert_refused(make: Callable[[], object], constraint: str | None = None) -> None:
    """The database refuses the row ``make`` writes, by the named constraint if given.

    PostgreSQL refuses an over-long value by column width (DataError) before any
    CHECK runs; SQLite has no widths, so there the CHECK itself must refuse it.
    """
    with pytest.raises((IntegrityError, DataError)) as info, transaction.atomic():
        make()
    if constraint and isinstance(info.value, IntegrityError):
        assert constraint in str(info.value)
