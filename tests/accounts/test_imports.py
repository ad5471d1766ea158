"""Class lists as student invitations: checked whole, stored whole or not at all."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from accounts import imports
from accounts.exceptions import NotAllowed
from accounts.models import ImportJob, ImportStatus, Invitation
from accounts.tabular import MAX_ERRORS, TableInvalid

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; one test checks the Dutch."""
    with translation.override("en"):
        yield


HEADER = "naam;e-mail;niveau;opleiding;crebo;klas\n"


def rows(n: int, *, start: int = 0, sep: str = ";") -> str:
    return "".join(
        sep.join(
            [f"Leerling {i}", f"leerling{i}@example.nl", "MBO 2", "Mechatronica", "25193", "2A"]
        )
        + "\n"
        for i in range(start, start + n)
    )


def start(world, text: str | bytes, **kwargs):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return imports.students_import_start(
        organisation=world.school_a, by=world.dirk, filename="klas.csv", data=data, **kwargs
    )


def refused(world, data) -> list:
    before = Invitation.objects.count(), ImportJob.objects.count()
    with pytest.raises(TableInvalid) as caught:
        start(world, data)
    assert (Invitation.objects.count(), ImportJob.objects.count()) == before
    return caught.value.errors


def test_valid_file_creates_invitations_with_their_fields(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = start(world, HEADER + rows(3))
    assert job.status == ImportStatus.SENDING
    assert (job.created_count, job.skipped_count, job.rows_total) == (3, 0, 3)
    assert job.content == ""  # the uploaded text is not kept
    invitation = Invitation.objects.get(email="leerling1@example.nl")
    assert invitation.organisation == world.school_a
    assert invitation.full_name == "Leerling 1"
    assert (invitation.education_level, invitation.programme) == ("mbo2", "Mechatronica")
    assert (invitation.crebo_code, invitation.class_name) == ("25193", "2A")
    assert invitation.is_usable()
    assert invitation.import_job == job
    assert len(callbacks) == 1  # the emails are the worker's job, after the commit


def test_emails_go_once_in_the_uploaders_language(world):
    job = start(world, HEADER + rows(3))
    assert imports.invitation_emails_send(job_id=job.pk) == 3
    assert imports.invitation_emails_send(job_id=job.pk) == 0  # a retry sends nothing twice
    assert sorted(m.to[0] for m in mail.outbox) == [f"leerling{i}@example.nl" for i in range(3)]
    message = mail.outbox[0]
    assert world.school_a.name in message.subject
    assert "invites you" in message.subject
    token = Invitation.objects.get(email=message.to[0]).token
    assert f"/invite/{token}/" in message.body
    job.refresh_from_db()
    assert (job.status, job.emails_sent) == (ImportStatus.DONE, 3)
    assert not Invitation.objects.filter(emailed_at__isnull=True).exists()


def test_a_dutch_uploader_sends_dutch_emails(world):
    with translation.override("nl"):
        job = start(world, HEADER + rows(1))
    imports.invitation_emails_send(job_id=job.pk)
    assert "nodigt je uit" in mail.outbox[0].subject


def test_importing_the_same_file_again_adds_nothing(world):
    start(world, HEADER + rows(5))
    again = start(world, HEADER + rows(7))
    assert (again.created_count, again.skipped_count) == (2, 5)
    assert Invitation.objects.count() == 7


def test_students_already_in_the_school_are_skipped(world):
    job = start(world, HEADER + f"Sam;{world.sam.email.upper()};MBO 3;;;\n")
    assert (job.created_count, job.skipped_count) == (0, 1)
    assert not Invitation.objects.exists()


def test_bom_and_comma_separator_and_english_headers_are_read(world):
    text = "\ufeffName,Email,Education level,Class\r\n" + rows(2, sep=",").replace(
        ",Mechatronica,25193", ""
    )
    job = start(world, text)
    assert job.created_count == 2
    assert Invitation.objects.get(email="leerling0@example.nl").full_name == "Leerling 0"


def test_wrong_delimiter_names_the_missing_columns_and_the_separators(world):
    errors = refused(world, HEADER.replace(";", "|") + rows(2, sep="|"))
    assert len(errors) == 1
    assert errors[0].line == 1
    assert "name, email, education level" in errors[0].message
    assert "semicolon" in errors[0].message


def test_rows_with_another_separator_than_the_header_fail_per_line(world):
    errors = refused(world, HEADER + rows(1) + rows(2, start=1, sep=","))
    assert [e.line for e in errors] == [3, 4]
    assert all("values" in e.message for e in errors)


def test_missing_column(world):
    text = "naam;niveau;klas\nSanne;MBO 2;2A\n"
    errors = refused(world, text)
    assert errors[0].line == 1
    assert "email" in errors[0].message


def test_bad_emails_fail_per_line_and_column(world):
    text = HEADER + rows(1) + "Jan;jan@;MBO 2;;;\n" + rows(1, start=5) + "Piet;;MBO 2;;;\n"
    errors = refused(world, text)
    assert [(e.line, e.column) for e in errors] == [(3, "e-mail"), (5, "e-mail")]
    assert "not a valid email" in errors[0].message
    assert "empty" in errors[1].message


def test_messages_come_in_the_users_language(world):
    with translation.override("nl"):
        errors = refused(world, HEADER + "Jan;jan@;MBO 9;;123;\n")
    assert [e.column for e in errors] == ["e-mail", "niveau", "crebo"]
    assert "geen geldig e-mailadres" in errors[0].message
    assert "vijf cijfers" in errors[2].message


def test_duplicate_rows_point_at_the_first(world):
    text = HEADER + rows(3) + rows(1, start=1).upper()
    errors = refused(world, text)
    assert [(e.line, e.column) for e in errors] == [(5, "e-mail")]
    assert "line 3" in errors[0].message


def test_non_utf8_text_fails_per_line(world):
    text = (HEADER + rows(2)).encode("utf-8") + "Renée;renee@example.nl;MBO 2;;;\n".encode("cp1252")
    text += rows(1, start=9).encode() + "Zoë;zoe@example.nl;HAVO;;;\n".encode("latin-1")
    errors = refused(world, text)
    assert [e.line for e in errors] == [4, 6]
    assert "UTF-8" in errors[0].message


def test_empty_and_header_only_files(world):
    assert "empty" in refused(world, b"")[0].message
    assert "empty" in refused(world, b"\n\n")[0].message
    assert "no rows" in refused(world, HEADER)[0].message


def test_a_file_with_every_line_wrong_reports_a_bounded_list(world):
    errors = refused(world, HEADER + "".join(f"X{i};geen-email-{i};MBO 2;;;\n" for i in range(300)))
    assert len(errors) == MAX_ERRORS + 1
    assert errors[-1].line == 0
    assert "100 more" in errors[-1].message


def test_only_the_schools_counsellors_import(world):
    for outsider in (world.olga, world.bram, world.sam, world.carla):
        with pytest.raises(NotAllowed):
            imports.students_import_start(
                organisation=world.school_a, by=outsider, filename="x.csv", data=b""
            )
    assert not ImportJob.objects.exists()


def test_a_large_file_is_queued_then_checked_and_saved_by_the_worker_function(
    world, settings, django_capture_on_commit_callbacks
):
    settings.MAAKMATCH_IMPORT_INLINE_ROWS = 10
    with django_capture_on_commit_callbacks(execute=False):
        job = start(world, HEADER + rows(25))
    assert job.status == ImportStatus.QUEUED
    assert job.content
    assert not Invitation.objects.exists()
    assert imports.students_job_run(job_id=job.pk) == "done"
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.created_count) == (ImportStatus.DONE, 25, 25)
    assert job.content == ""
    assert len(mail.outbox) == 25
    assert imports.students_job_run(job_id=job.pk) == "not queued"
    assert Invitation.objects.count() == 25


def test_a_large_broken_file_fails_on_its_job_and_stores_nothing(world, settings):
    settings.MAAKMATCH_IMPORT_INLINE_ROWS = 10
    job = start(world, HEADER + rows(20) + "Jan;jan@;MBO 2;;;\n" + rows(1, start=3))
    imports.students_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.content == ""
    assert [(e["line"], e["column"]) for e in job.errors] == [(22, "e-mail"), (23, "e-mail")]
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_a_10000_row_file(world, settings):
    """The worker's path for a school's whole list: checked, saved and mailed in one go."""
    job = start(world, HEADER + rows(10_000))
    assert job.status == ImportStatus.QUEUED
    imports.students_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.created_count, job.emails_sent) == (ImportStatus.DONE, 10_000, 10_000)
    assert Invitation.objects.filter(organisation=world.school_a).count() == 10_000
    assert len(mail.outbox) == 10_000


def test_a_10000_row_file_with_one_bad_line_stores_nothing(world):
    job = start(world, HEADER + rows(9_999) + "Jan;jan@example;MBO 2;;;\n")
    imports.students_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert [(e["line"], e["column"]) for e in job.errors] == [(10_001, "e-mail")]
    assert not Invitation.objects.exists()


def test_stalled_jobs_are_found_for_the_sweep(world, settings):
    import datetime as dt

    from django.utils import timezone

    settings.MAAKMATCH_IMPORT_INLINE_ROWS = 1
    job = start(world, HEADER + rows(3))
    assert imports.jobs_stalled(older_than=dt.timedelta(minutes=15)) == []
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    assert imports.jobs_stalled(older_than=dt.timedelta(minutes=15)) == [
        (job.pk, "worker.import_run")
    ]


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("mbo2", "mbo2"),
        ("MBO 2", "mbo2"),
        ("MBO-niveau 4", "mbo4"),
        ("MBO level 3", "mbo3"),
        ("VMBO-KB", "vmbo"),
        ("havo", "havo"),
        ("HBO", "hbo"),
        ("mbo 9", None),
        ("", None),
    ],
)
def test_education_levels_as_schools_write_them(text, level):
    assert imports.education_level_parse(text) == level


# --- the worker's part: one run per job, emails once, failures end the job ------


def _queued(world, settings, n: int = 12, extra: str = ""):
    settings.MAAKMATCH_IMPORT_INLINE_ROWS = 5
    return start(world, HEADER + rows(n) + extra)


def test_the_worker_sends_the_emails_itself_and_queues_no_second_sender(
    world, settings, django_capture_on_commit_callbacks
):
    from celery.signals import before_task_publish

    job = _queued(world, settings)
    published: list[str] = []

    def record(sender: str, **kwargs: object) -> None:
        published.append(sender)

    before_task_publish.connect(record)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert imports.students_job_run(job_id=job.pk) == "done"
    finally:
        before_task_publish.disconnect(record)
    # No "worker.import_emails" besides this run's own sending; the organisation's
    # webhooks hear that the import finished.
    assert published == ["worker.webhook_event"]
    assert len(mail.outbox) == 12


def test_only_a_queued_job_is_claimed(world, settings):
    job = _queued(world, settings)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.CHECKING)
    assert imports.students_job_run(job_id=job.pk) == "not queued"  # another run has it
    assert not Invitation.objects.exists()


def test_an_unexpected_error_ends_the_job_and_forgets_the_file(world, settings):
    job = _queued(world, settings)

    def broken_save(job, plans):
        raise RuntimeError("disk full")

    result = imports.job_run(
        job_id=job.pk,
        columns=imports.STUDENT_COLUMNS,
        check=imports.students_check,
        save=broken_save,
    )
    assert result == "failed"
    job.refresh_from_db()
    assert (job.status, job.content) == (ImportStatus.FAILED, "")
    assert "could not be finished" in job.errors[0]["message"]
    assert not Invitation.objects.exists()


def test_a_job_is_given_up_after_three_attempts(world, settings):
    job = _queued(world, settings)
    ImportJob.objects.filter(pk=job.pk).update(attempts=3)
    assert imports.students_job_run(job_id=job.pk) == "gave up"
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.content == ""


def test_the_sweep_restarts_quiet_jobs_by_their_heartbeat(world, settings):
    import datetime as dt

    from django.utils import timezone

    job = _queued(world, settings)
    sending = _queued(world, settings, extra=rows(1, start=50))
    long_ago = timezone.now() - dt.timedelta(hours=1)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.SAVING, progressed_at=long_ago)
    ImportJob.objects.filter(pk=sending.pk).update(
        status=ImportStatus.SENDING, progressed_at=long_ago
    )
    found = imports.jobs_stalled(older_than=dt.timedelta(minutes=15))
    assert sorted(found) == sorted(
        [(job.pk, "worker.import_run"), (sending.pk, "worker.import_emails")]
    )
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.QUEUED
    assert imports.jobs_stalled(older_than=dt.timedelta(minutes=15)) == []  # heartbeat reset
    assert imports.students_job_run(job_id=job.pk) == "done"


def test_a_refused_address_is_marked_and_never_retried(world, settings):
    settings.EMAIL_BACKEND = "tests.mailbackends.RefusingBackend"
    job = start(world, HEADER + rows(2) + "Weg;refused@example.nl;MBO 2;;;\n")
    assert imports.invitation_emails_send(job_id=job.pk) == 2
    assert imports.invitation_emails_send(job_id=job.pk) == 0
    job.refresh_from_db()
    assert (job.status, job.emails_sent, job.emails_refused) == (ImportStatus.DONE, 2, 1)
    assert Invitation.objects.get(email="refused@example.nl").email_refused_at is not None
    assert len(mail.outbox) == 2


def test_an_invitation_never_emailed_gets_its_email_from_the_next_import(world):
    from accounts import services

    by_hand = services.invitation_create(
        organisation=world.school_a, created_by=world.dirk, email="leerling0@example.nl"
    )
    job = start(world, HEADER + rows(2))
    assert (job.created_count, job.skipped_count) == (1, 1)
    imports.invitation_emails_send(job_id=job.pk)
    assert sorted(m.to[0] for m in mail.outbox) == ["leerling0@example.nl", "leerling1@example.nl"]
    by_hand.refresh_from_db()
    assert by_hand.emailed_at is not None


def test_line_breaks_in_a_name_are_refused(world):
    errors = refused(world, HEADER + '"Jan\nde Vries";jan@example.nl;MBO 2;;;\n')
    assert [(e.line, e.column) for e in errors] == [(2, "naam")]


def test_old_mac_line_ends_are_read(world):
    job = start(world, (HEADER + rows(2)).replace("\n", "\r"))
    assert job.created_count == 2


@pytest.mark.parametrize(("template_language", "page_language"), [("nl", "en"), ("en", "nl")])
def test_a_template_in_one_language_imports_from_a_page_in_the_other(
    world, template_language, page_language
):
    with translation.override(template_language):
        template = imports.students_template_csv()
    with translation.override(page_language):
        job = start(world, template)
    assert job.created_count == 1
