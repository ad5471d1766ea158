"""What ``insights`` writes: its snapshots, the figures of a period frozen."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.exceptions import DomainError
from accounts.models import User
from insights.kpis import Period, kpi_figures
from insights.models import KpiSnapshot, SnapshotKind


def snapshot_take(*, period: Period, kind: str, by: User | None = None) -> KpiSnapshot:
    """Freeze the figures of a period. A baseline is per year; taking it again
    replaces it (the coordinator decides when the year's nulmeting is right);
    a quarter's end-of-quarter snapshot is taken once."""
    if kind == SnapshotKind.BASELINE and not period.is_year:
        raise DomainError(_("A baseline is taken for a whole year."), field="period")
    figures = kpi_figures(period=period)
    if kind == SnapshotKind.BASELINE:
        snapshot, _created = KpiSnapshot.objects.update_or_create(
            period=period.label,
            kind=kind,
            defaults={"figures": figures, "taken_by": by, "taken_at": timezone.now()},
        )
        return snapshot
    snapshot, _created = KpiSnapshot.objects.get_or_create(
        period=period.label, kind=kind, defaults={"figures": figures, "taken_by": by}
    )
    return snapshot
