"""The region's figures, frozen: a year's baseline and each quarter's end."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SnapshotKind(models.TextChoices):
    BASELINE = "baseline", _("baseline (nulmeting)")
    QUARTER = "quarter", _("end of quarter")


class KpiSnapshot(models.Model):
    """The region's figures for one period, frozen: later edits to the data do
    not change them. A year's baseline (nulmeting) is taken by a coordinator;
    beat takes one at the end of each quarter."""

    period = models.CharField(_("period"), max_length=7)  # "2026" or "2026-Q3"
    kind = models.CharField(_("kind"), max_length=10, choices=SnapshotKind.choices)
    taken_at = models.DateTimeField(_("taken at"), default=timezone.now)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    figures = models.JSONField(_("figures"))

    class Meta:
        db_table = "matching_kpisnapshot"  # where it was born: moved without a copy
        verbose_name = _("KPI snapshot")
        verbose_name_plural = _("KPI snapshots")
        ordering = ["-taken_at"]
        constraints = [
            models.UniqueConstraint(fields=["period", "kind"], name="kpi_snapshot_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=SnapshotKind.values), name="kpi_snapshot_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period}"
