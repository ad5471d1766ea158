"""Models that moved between apps keep their tables, their rows and their content
types: a database from before the move migrates without a copy and loses nothing.

The audit log, the digest records and the KPI snapshots moved out of ``matching``
(into ``audit``, ``notifications`` and ``insights``). This test takes a database
back to the schema before the move, writes a row of every moved model through
that schema, migrates forward and reads every row back through today's models.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from audit.models import AuditEntry
from insights.models import KpiSnapshot
from notifications.models import DigestSent

BEFORE_THE_MOVE = [
    ("matching", "0004_suggestion_reports"),
    ("audit", None),
    ("insights", None),
    ("notifications", None),
]
MOVED = {"auditentry": "audit", "digestsent": "notifications", "kpisnapshot": "insights"}


def _migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


@pytest.mark.django_db(transaction=True)
def test_moved_models_keep_their_rows_and_content_types() -> None:
    content_types = {
        model: ContentType.objects.get(app_label=app, model=model).pk
        for model, app in MOVED.items()
    }
    executor = _migrate(BEFORE_THE_MOVE)
    moved_to = {app for app, name in BEFORE_THE_MOVE}
    nodes = [n for n in executor.loader.graph.leaf_nodes() if n[0] not in moved_to]
    old = executor.loader.project_state([*nodes, BEFORE_THE_MOVE[0]], at_end=True).apps
    # Before: the models are matching's, and so are their content types.
    for model, pk in content_types.items():
        assert ContentType.objects.get(pk=pk).app_label == "matching", model
    User = old.get_model("accounts", "User")
    user = User.objects.create(email="verhuisd@example.nl", full_name="Verhuisd", password="!")
    old.get_model("matching", "AuditEntry").objects.create(
        actor=user, student=user, action="view", reason="moved-row"
    )
    old.get_model("matching", "DigestSent").objects.create(
        user=user, kind="suggestions", day=dt.date(2026, 3, 2), items=4
    )
    old.get_model("matching", "KpiSnapshot").objects.create(
        period="2025", kind="baseline", taken_by=user, figures={"total": {"x": 1}}
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    entry = AuditEntry.objects.get(reason="moved-row")
    assert (entry.actor_id, entry.student_id, entry.action) == (user.pk, user.pk, "view")
    digest = DigestSent.objects.get(user_id=user.pk)
    assert (digest.kind, digest.day, digest.items) == ("suggestions", dt.date(2026, 3, 2), 4)
    snapshot = KpiSnapshot.objects.get(period="2025")
    assert snapshot.figures == {"total": {"x": 1}}
    assert snapshot.taken_by_id == user.pk
    assert snapshot.taken_at <= timezone.now()
    # The same content type rows (and the permissions on them) follow the models.
    for model, app in MOVED.items():
        assert ContentType.objects.get(pk=content_types[model]).app_label == app
    assert not ContentType.objects.filter(app_label="matching", model__in=MOVED).exists()
    # No table was renamed or copied: the rows live where they were written.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM matching_auditentry WHERE reason = 'moved-row'")
        assert cursor.fetchone() == (1,)
