"""A class list of more than 500 rows through a real worker process: queued,
checked with progress a page can show, saved whole, mailed (file backend)."""

from __future__ import annotations

from pathlib import Path

import pytest

from accounts import imports
from accounts.models import ImportJob, ImportStatus, Invitation
from tests import factories
from tests.private_services import wait_for
from tests.worker.test_pipeline_live import _environ, ping_within
from tests.worker.test_worker import running_worker
from worker.celery import app

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]
ROWS = 3_000


def test_a_large_class_list_is_imported_by_the_worker(tmp_path: Path) -> None:
    school = factories.SchoolFactory()
    counsellor = factories.UserFactory()
    factories.MembershipFactory(user=counsellor, role="counsellor", organisation=school)
    text = "naam;e-mail;niveau\n" + "".join(
        f"Leerling {i};leerling{i}@example.nl;MBO 2\n" for i in range(ROWS)
    )
    mail_dir = tmp_path / "mail"
    app.control.purge()
    with running_worker(_environ(EMAIL_URL=f"file://{mail_dir}")) as worker:
        assert ping_within(worker, 60)
        job = imports.students_import_start(
            organisation=school, by=counsellor, filename="klas.csv", data=text.encode()
        )
        assert job.status == ImportStatus.QUEUED  # more than 500 rows: the worker's
        assert wait_for(lambda: ImportJob.objects.get(pk=job.pk).status == ImportStatus.DONE, 120)
    job.refresh_from_db()
    assert (job.created_count, job.emails_sent, job.rows_done) == (ROWS, ROWS, ROWS)
    assert Invitation.objects.filter(organisation=school, emailed_at__isnull=False).count() == ROWS
    delivered = "".join(p.read_text() for p in mail_dir.glob("*"))
    assert delivered.count("Subject: ") == ROWS
    assert "leerling2999@example.nl" in delivered
    assert job.content == ""
