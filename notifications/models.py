"""What the notifications remember: which digest went to whom on which day."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DigestKind(models.TextChoices):
    SUGGESTIONS = "suggestions", _("new suggestions")
    REVIEW_QUEUE = "review_queue", _("suggestions to review")


class DigestSent(models.Model):
    """One row per person, kind and day: a digest goes out at most once a day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=DigestKind.choices)
    day = models.DateField()
    items = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "matching_digestsent"  # where it was born: moved without a copy
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "day"], name="digest_once_a_day"),
            models.CheckConstraint(condition=Q(kind__in=DigestKind.values), name="digest_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} digest for user {self.user_id} on {self.day}"
