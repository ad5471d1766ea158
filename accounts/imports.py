"""Bulk imports: the job that carries an uploaded file, and a school's class list
as student invitations.

An import is checked whole before anything is stored; a file with one bad line
stores nothing and reports every bad line (``accounts.tabular``). A file of at
most ``MAAKMATCH_IMPORT_INLINE_ROWS`` rows is handled while the person waits.
A longer one becomes a queued ``ImportJob`` that the worker checks (reporting
progress), saves in one transaction, and then sends the emails of.

Importing the same file again adds nothing: a row whose person already holds a
usable invitation, or already belongs to the school, is counted as skipped.

May import: accounts. marketplace.imports builds the openings import on this.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import smtplib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from accounts import selectors
from accounts.background import TRANSIENT, task_send_on_commit
from accounts.exceptions import NotAllowed
from accounts.models import (
    EducationLevel,
    ImportJob,
    ImportKind,
    ImportStatus,
    Invitation,
    Membership,
    Organisation,
    Role,
    User,
)
from accounts.tabular import Column, ErrorList, Table, TableInvalid, csv_text, table_read

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 250
# Line breaks and other control characters (C0, C1, the Unicode line separators).
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
EMAIL_BATCH = 100

# Check: the rows of a table, a progress callback -> a plan to save, or TableInvalid.
Check = Callable[[ImportJob, Table, Callable[[int], None]], Any]
# Save: the job and the plan -> (created, skipped); runs inside one transaction.
Save = Callable[[ImportJob, Any], tuple[int, int]]


# --- jobs ---------------------------------------------------------------------


MAX_ATTEMPTS = 3


def _beat(job_id: int, **fields: Any) -> None:
    """Write progress and the heartbeat the sweep reads."""
    ImportJob.objects.filter(pk=job_id).update(progressed_at=timezone.now(), **fields)


def _progress_writer(job: ImportJob) -> Callable[[int], None]:
    def write(done: int) -> None:
        if done % PROGRESS_EVERY == 0 or done == job.rows_total:
            _beat(job.pk, rows_done=done)

    return write


def _no_progress(done: int) -> None:
    return None


def job_start(
    *,
    kind: str,
    organisation: Organisation | None,
    by: User,
    filename: str,
    data: bytes,
    columns: Sequence[Column],
    check: Check,
    save: Save,
) -> ImportJob:
    """Read ``data``; a small file is checked and saved now, a large one is queued.

    Raises ``TableInvalid`` (nothing stored, no job) when the file or a row of a
    small file is wrong. A large file's row errors end up on its job instead.
    """
    table = table_read(data, columns=columns)
    job = ImportJob(
        kind=kind,
        organisation=organisation,
        created_by=by,
        filename=filename[:200],
        language=get_language() or settings.LANGUAGE_CODE,
        rows_total=len(table.rows),
    )
    if len(table.rows) > settings.MAAKMATCH_IMPORT_INLINE_ROWS:
        job.content = table.text
        job.save()
        task_send_on_commit("worker.import_run", job.pk)
        return job
    plan = check(job, table, _no_progress)
    with transaction.atomic():
        job.status = ImportStatus.SAVING
        job.started_at = timezone.now()
        job.save()
        created, skipped = save(job, plan)
        if _job_saved(job, created=created, skipped=skipped):
            task_send_on_commit("worker.import_emails", job.pk)
    return job


def _job_saved(job: ImportJob, *, created: int, skipped: int) -> bool:
    """Record the save; ``True`` when invitation emails are to go out."""
    job.created_count, job.skipped_count = created, skipped
    job.rows_done = job.rows_total
    job.content = ""
    sends_email = (
        job.kind == ImportKind.STUDENTS
        and Invitation.objects.filter(
            import_job=job, emailed_at__isnull=True, email_refused_at__isnull=True
        ).exists()
    )
    job.status = ImportStatus.SENDING if sends_email else ImportStatus.DONE
    job.progressed_at = timezone.now()
    if not sends_email:
        job.finished_at = job.progressed_at
        task_send_on_commit("worker.webhook_event", "import.finished", {"import": job.pk})
    job.save()
    return sends_email


def _job_fail(job_id: int, errors: list[dict[str, Any]]) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportStatus.FAILED, errors=errors, content="", finished_at=timezone.now()
    )


def job_run(*, job_id: int, columns: Sequence[Column], check: Check, save: Save) -> str:
    """The worker's part for a large file: check with progress, save whole, then
    send the emails. Only a queued job is claimed, so a second message for the
    same job does nothing; each status moves on only from the one before."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.CHECKING,
        started_at=now,
        progressed_at=now,
        rows_done=0,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return "not queued"
    job = ImportJob.objects.select_related("organisation", "created_by").get(pk=job_id)
    with translation.override(job.language):
        if job.attempts > MAX_ATTEMPTS:
            _job_fail(job.pk, [_gave_up()])
            return "gave up"
        try:
            table = table_read(job.content.encode("utf-8"), columns=columns)
            plan = check(job, table, _progress_writer(job))
            moved = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.CHECKING).update(
                status=ImportStatus.SAVING, rows_done=job.rows_total, progressed_at=timezone.now()
            )
            if not moved:
                return "taken over"
            with transaction.atomic():
                job = ImportJob.objects.select_for_update().get(pk=job_id)
                if job.status != ImportStatus.SAVING:
                    return "taken over"
                created, skipped = save(job, plan)
                sends_email = _job_saved(job, created=created, skipped=skipped)
        except TableInvalid as exc:
            _job_fail(job.pk, [e.as_dict() for e in exc.errors])
            return "refused"
        except TRANSIENT:
            # The database went away: nothing was stored; the task retries from the start.
            ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)
            raise
        except Exception:
            logger.exception("Import job %s failed.", job_id)
            _job_fail(job.pk, [_gave_up()])
            return "failed"
    if sends_email:
        invitation_emails_send(job_id=job.pk)
    return "done"


def _gave_up() -> dict[str, Any]:
    message = _("The import could not be finished; nothing was stored. Try again later.")
    return {"line": 0, "column": "", "message": message}


def jobs_stalled(*, older_than: dt.timedelta) -> list[tuple[int, str]]:
    """Jobs whose worker went quiet (no heartbeat for ``older_than``), and the task
    that does their next step.

    A queued, checking or saving job restarts from the file (nothing is stored
    before the save commits); a job sending emails resumes with those not sent.
    Each found job's heartbeat is reset, so the next sweep waits a full period.
    """
    now = timezone.now()
    quiet = list(
        ImportJob.objects.annotate(beat=Coalesce("progressed_at", "started_at", "created_at"))
        .filter(
            beat__lt=now - older_than,
            status__in=[
                ImportStatus.QUEUED,
                ImportStatus.CHECKING,
                ImportStatus.SAVING,
                ImportStatus.SENDING,
            ],
        )
        .values_list("pk", "status")
    )
    restart = [pk for pk, status in quiet if status != ImportStatus.SENDING]
    sending = [pk for pk, status in quiet if status == ImportStatus.SENDING]
    ImportJob.objects.filter(pk__in=restart).update(status=ImportStatus.QUEUED, progressed_at=now)
    ImportJob.objects.filter(pk__in=sending).update(progressed_at=now)
    return [(pk, "worker.import_run") for pk in restart] + [
        (pk, "worker.import_emails") for pk in sending
    ]


def jobs_of(*, viewer: User) -> Any:
    """The imports a person started; nobody else sees them (they name students)."""
    if not getattr(viewer, "is_authenticated", False):
        return ImportJob.objects.none()
    return ImportJob.objects.filter(created_by=viewer).select_related("organisation")


# --- student invitations --------------------------------------------------------

STUDENT_COLUMNS = (
    Column(
        "full_name",
        gettext_lazy("name"),
        aliases=("naam", "name", "full name", "volledige naam", "student"),
        help=gettext_lazy("First and last name."),
    ),
    Column(
        "email",
        gettext_lazy("email"),
        aliases=("e-mail", "email", "e-mailadres", "emailadres", "email address"),
        help=gettext_lazy("The address the invitation goes to."),
    ),
    Column(
        "education_level",
        gettext_lazy("education level"),
        aliases=("niveau", "opleidingsniveau", "onderwijsniveau", "education level", "level"),
        help=gettext_lazy("For example: VMBO, HAVO, MBO 2, MBO 4, HBO."),
    ),
    Column(
        "programme",
        gettext_lazy("programme"),
        aliases=("opleiding", "programme", "program"),
        required=False,
        help=gettext_lazy("The name of the programme (optional)."),
    ),
    Column(
        "crebo_code",
        gettext_lazy("crebo"),
        aliases=("crebo", "crebo code", "crebonummer"),
        required=False,
        help=gettext_lazy("The programme's five-digit crebo number (optional)."),
    ),
    Column(
        "class_name",
        gettext_lazy("class"),
        aliases=("klas", "class", "groep", "group"),
        required=False,
        help=gettext_lazy("The class or group (optional)."),
    ),
)


def education_level_parse(text: str) -> str | None:
    """An education level from how schools write it: "mbo2", "MBO 2", "MBO-niveau 2",
    "MBO level 2", "VMBO-KB", "havo"... ``None`` when it is none of them."""
    key = re.sub(r"[\s\-_.]+|niveau|level", "", text.casefold())
    if key.startswith("vmbo"):
        return EducationLevel.VMBO
    return key if key in EducationLevel.values else None


def education_level_unknown() -> str:
    """The message for a level ``education_level_parse`` does not know."""
    return _("Unknown education level; use one of: %(levels)s.") % {
        "levels": ", ".join(str(label) for label in EducationLevel.labels)
    }


@dataclass(frozen=True)
class InvitationPlan:
    line: int
    email: str
    full_name: str
    education_level: str
    programme: str
    crebo_code: str
    class_name: str


def _student_row_check(row: dict[str, str], header: Callable[[str], str]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for key in ("full_name", "programme", "class_name"):
        if CONTROL.search(row.get(key, "")):
            problems.append(
                (header(key), _("This cell holds a line break or a control character."))
            )
    if not row["full_name"]:
        problems.append((header("full_name"), _("The name is empty.")))
    elif len(row["full_name"]) > 200:
        problems.append((header("full_name"), _("The name is longer than 200 characters.")))
    try:
        if len(row["email"]) > 254:
            raise ValidationError("too long")
        validate_email(row["email"])
    except ValidationError:
        problems.append(
            (
                header("email"),
                _("This is not a valid email address.")
                if row["email"]
                else _("The email address is empty."),
            )
        )
    if education_level_parse(row["education_level"]) is None:
        problems.append((header("education_level"), education_level_unknown()))
    crebo = row.get("crebo_code", "")
    if crebo and not re.fullmatch(r"\d{5}", crebo):
        problems.append((header("crebo_code"), _("A crebo number has five digits.")))
    if len(row.get("programme", "")) > 200:
        problems.append((header("programme"), _("The programme is longer than 200 characters.")))
    if len(row.get("class_name", "")) > 50:
        problems.append((header("class_name"), _("The class is longer than 50 characters.")))
    return problems


def students_check(
    job: ImportJob, table: Table, progress: Callable[[int], None]
) -> list[InvitationPlan]:
    errors = ErrorList()
    seen: dict[str, int] = {}
    plans: list[InvitationPlan] = []
    for done, row in enumerate(table.rows, start=1):
        values = row.values
        for column, message in _student_row_check(values, table.header):
            errors.add(row.line, column, message)
        email = values["email"].lower()
        if email and email in seen:
            errors.add(
                row.line,
                table.header("email"),
                _("The same email address as line %(line)s.") % {"line": seen[email]},
            )
        seen.setdefault(email, row.line)
        if not errors:
            plans.append(
                InvitationPlan(
                    line=row.line,
                    email=email,
                    full_name=values["full_name"],
                    education_level=education_level_parse(values["education_level"]) or "",
                    programme=values.get("programme", ""),
                    crebo_code=values.get("crebo_code", ""),
                    class_name=values.get("class_name", ""),
                )
            )
        progress(done)
    errors.raise_if_any()
    return plans


def students_save(job: ImportJob, plans: list[InvitationPlan]) -> tuple[int, int]:
    """Create the invitations not already there; the organisation's row is locked,
    so two imports of one list at once cannot both create them."""
    organisation = Organisation.objects.select_for_update().get(pk=job.organisation_id)
    now = timezone.now()
    emails = [plan.email for plan in plans]
    invited = set(
        Invitation.objects.filter(
            organisation=organisation,
            role=Role.STUDENT,
            email__in=emails,
            accepted_at__isnull=True,
            expires_at__gt=now,
        ).values_list("email", flat=True)
    )
    members = set(
        Membership.objects.filter(
            organisation=organisation, role=Role.STUDENT, user__email__in=emails
        ).values_list("user__email", flat=True)
    )
    # Already invited but never emailed (a link made by hand, or an earlier import
    # whose emails did not go out): this import sends their email.
    Invitation.objects.filter(
        organisation=organisation,
        role=Role.STUDENT,
        email__in=invited - members,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
        emailed_at__isnull=True,
        email_refused_at__isnull=True,
    ).update(import_job=job)
    expires = now + dt.timedelta(days=settings.MAAKMATCH_INVITATION_DAYS)
    new = [
        Invitation(
            organisation=organisation,
            role=Role.STUDENT,
            email=plan.email,
            full_name=plan.full_name,
            education_level=plan.education_level,
            programme=plan.programme,
            crebo_code=plan.crebo_code,
            class_name=plan.class_name,
            created_by=job.created_by,
            created_at=now,
            expires_at=expires,
            import_job=job,
        )
        for plan in plans
        if plan.email not in invited and plan.email not in members
    ]
    Invitation.objects.bulk_create(new, batch_size=1000)
    return len(new), len(plans) - len(new)


def students_import_start(
    *, organisation: Organisation, by: User, filename: str, data: bytes
) -> ImportJob:
    """A counsellor uploads a class list; see the module's docstring."""
    if not selectors.user_can_invite_to(user=by, organisation=organisation, role=Role.STUDENT):
        raise NotAllowed(_("You cannot invite people to this organisation."))
    return job_start(
        kind=ImportKind.STUDENTS,
        organisation=organisation,
        by=by,
        filename=filename,
        data=data,
        columns=STUDENT_COLUMNS,
        check=students_check,
        save=students_save,
    )


def students_job_run(*, job_id: int) -> str:
    return job_run(job_id=job_id, columns=STUDENT_COLUMNS, check=students_check, save=students_save)


def template_csv(columns: Sequence[Column], example: Sequence[str]) -> str:
    """A template in the active language: the header and one example row, ``;``-separated
    with a byte-order mark, as Dutch Excel opens it."""
    return csv_text([str(column.header) for column in columns], [list(example)])


def students_template_csv() -> str:
    return template_csv(
        STUDENT_COLUMNS,
        ["Sanne de Vries", "sanne.devries@example.nl", "MBO 2", _("Mechatronics"), "25193", "2A"],
    )


# --- invitation emails ----------------------------------------------------------


def invitation_email(invitation: Invitation) -> EmailMultiAlternatives:
    link = settings.MAAKMATCH_BASE_URL + reverse("web:invitation_accept", args=[invitation.token])
    context = {"invitation": invitation, "link": link, "organisation": invitation.organisation}
    subject = render_to_string("accounts/email/invitation_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string("accounts/email/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(
        render_to_string("accounts/email/invitation.html", context), "text/html"
    )
    return message


def invitation_emails_send(*, job_id: int) -> int:
    """Send the invitations of an import that have not gone out yet, in batches.

    Each batch's rows are locked while it is sent (``skip_locked``: two senders
    of one job take different rows), and marked sent in the same transaction, so
    a retry sends none twice. An address the mail server refuses for good is
    marked refused and not tried again; a server that cannot be reached raises,
    and the task retries later with what is left."""
    job = ImportJob.objects.get(pk=job_id)
    sent = 0
    with translation.override(job.language):
        while True:
            with transaction.atomic():
                batch = list(
                    Invitation.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(import_job=job, emailed_at__isnull=True, email_refused_at__isnull=True)
                    .filter(revoked_at__isnull=True)
                    .select_related("organisation")
                    .order_by("pk")[:EMAIL_BATCH]
                )
                if not batch:
                    break
                delivered, refused = [], []
                with get_connection() as connection:
                    for invitation in batch:
                        try:
                            connection.send_messages([invitation_email(invitation)])
                        except smtplib.SMTPRecipientsRefused:
                            refused.append(invitation.pk)
                        else:
                            delivered.append(invitation.pk)
                now = timezone.now()
                Invitation.objects.filter(pk__in=delivered).update(emailed_at=now)
                Invitation.objects.filter(pk__in=refused).update(email_refused_at=now)
                sent += len(delivered)
            _beat(job.pk, **_email_counts(job))
    if not Invitation.objects.filter(
        import_job=job, emailed_at__isnull=True, email_refused_at__isnull=True, revoked_at=None
    ).exists():
        finished = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.SENDING).update(
            status=ImportStatus.DONE, finished_at=timezone.now(), **_email_counts(job)
        )
        if finished:
            task_send_on_commit("worker.webhook_event", "import.finished", {"import": job.pk})
    return sent


def _email_counts(job: ImportJob) -> dict[str, int]:
    invitations = Invitation.objects.filter(import_job=job)
    return {
        "emails_sent": invitations.filter(emailed_at__isnull=False).count(),
        "emails_refused": invitations.filter(email_refused_at__isnull=False).count(),
    }
