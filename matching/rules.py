"""Rules about a match that both reads (selectors) and writes (workflow) apply."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.selectors import user_needs_parental_consent
from matching.models import Match


def match_block_reason(*, match: Match) -> str | None:
    """Why a suggestion cannot be approved yet, said to the person reviewing it."""
    if user_needs_parental_consent(user=match.profile.user):
        return _(
            "Waiting for parental consent: a counsellor records it before this "
            "student can be suggested to companies."
        )
    return None
