"""Celery tasks. Thin: primary keys in, a service call, done.

Transient failures (database or broker connection) retry with exponential backoff;
anything else fails at once and, for a full run, marks the run failed with its error.
"""

from __future__ import annotations

import logging
import smtplib

from celery import group, shared_task
from django.conf import settings

from accounts import imports as account_imports
from accounts.background import TRANSIENT
from learning import services as learning
from marketplace import imports as marketplace_imports
from matching import pipeline
from notifications import inbox, webhooks
from notifications import services as notifications

logger = logging.getLogger(__name__)
RETRY = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": True,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 6,
}

# Emails also retry when the mail server is unreachable or refuses for now.
# A chunk of a full recompute outlasts a database restart on its own: no jitter
# (full jitter can spend all retries in a second), about three minutes in all.
CHUNK_RETRY = {**RETRY, "retry_jitter": False, "max_retries": 8}
NOTIFY_RETRY = {**RETRY, "autoretry_for": (*TRANSIENT, smtplib.SMTPException, OSError)}


@shared_task(name="worker.ping")
def ping() -> str:
    """Answers ``pong``: proves a worker is up and reading the broker."""
    return "pong"


@shared_task(name="worker.match_opening", **RETRY)
def match_opening(opening_id: int) -> str:
    result = pipeline.opening_match(opening_id=opening_id)
    # Its must-haves are in the gaps of the people it is suggested to: their
    # courses follow (a closed opening's suggestions retire, so those people's
    # courses lose it too).
    learning.course_suggestions_refresh_for_opening(opening_id=opening_id)
    return result


@shared_task(name="worker.match_profile", **RETRY)
def match_profile(profile_id: int) -> str:
    result = pipeline.profile_match(profile_id=profile_id)
    # The person's gaps moved with their suggestions: so do their courses.
    learning.course_suggestions_refresh(profile_ids=[profile_id])
    return result


@shared_task(name="worker.course_suggestions_refresh", **RETRY)
def course_suggestions_refresh(profile_ids: list[int] | None = None) -> int:
    """Rank the courses against the stored gaps (everyone's when no ids)."""
    return learning.course_suggestions_refresh(profile_ids=profile_ids)


@shared_task(name="worker.match_full_recompute", **RETRY)
def match_full_recompute() -> int:
    """Refit, then fan the profiles out in chunks over every matching worker."""
    run, chunks = pipeline.run_start()
    if chunks:
        group(match_run_chunk.s(chunk.pk) for chunk in chunks).apply_async()
    return run.pk


@shared_task(name="worker.match_run_chunk", bind=True, **CHUNK_RETRY)
def match_run_chunk(self: object, chunk_id: int) -> bool:
    try:
        finished = pipeline.run_chunk(chunk_id=chunk_id)
        if finished:  # every suggestion is new: rank everyone's courses again
            course_suggestions_refresh.delay()
        return finished
    except TRANSIENT:
        raise
    except Exception as exc:
        from matching.models import MatchRunChunk

        run_id = MatchRunChunk.objects.filter(pk=chunk_id).values_list("run_id", flat=True).first()
        if run_id:
            pipeline.run_fail(run_id=run_id, error=f"{type(exc).__name__}: {exc}")
        raise


@shared_task(name="worker.matching_sweep")
def matching_sweep() -> int:
    """Re-enqueue rows flagged for matching whose message was lost or delayed."""
    openings, profiles = pipeline.matching_stale(older_than=settings.MAAKMATCH_SWEEP_GRACE)
    for pk in openings:
        match_opening.delay(pk)
    for pk in profiles:
        match_profile.delay(pk)
    chunks = pipeline.chunks_stalled(older_than=settings.MAAKMATCH_RUN_STALL)
    for pk in chunks:
        match_run_chunk.delay(pk)
    for pk, task in account_imports.jobs_stalled(older_than=settings.MAAKMATCH_RUN_STALL):
        (import_emails if task == "worker.import_emails" else import_run).delay(pk)
    if openings or profiles or chunks:
        logger.info(
            "Sweep re-enqueued %s openings, %s profiles and %s run chunks.",
            len(openings),
            len(profiles),
            len(chunks),
        )
    return len(openings) + len(profiles) + len(chunks)


@shared_task(name="worker.import_run", **RETRY)
def import_run(job_id: int) -> str:
    """Check a large uploaded file with progress, then save it whole (or refuse it)."""
    return marketplace_imports.job_run(job_id=job_id)


@shared_task(name="worker.import_emails", **NOTIFY_RETRY)
def import_emails(job_id: int) -> int:
    return account_imports.invitation_emails_send(job_id=job_id)


@shared_task(name="worker.openings_expire", **RETRY)
def openings_expire() -> int:
    expired = pipeline.openings_expire()
    logger.info("Expired %s openings.", expired)
    return expired


@shared_task(name="worker.notify_match", **NOTIFY_RETRY)
def notify_match(match_id: int, event: str, user_id: int | None = None) -> int:
    """The notifications one step of a match causes (on the default queue): the
    in-product ones here, the e-mails fanned out as one task per recipient, so a
    retry repeats no one else's e-mail."""
    if user_id is not None:
        return int(notifications.match_event_send(match_id=match_id, event=event, user_id=user_id))
    inbox.for_match_event(match_id=match_id, event=event)
    if event not in notifications.EVENT_STATE:
        return 0  # no e-mail of its own (an approval waits for the daily digest)
    recipients = notifications.match_event_recipients(match_id=match_id, event=event)
    for recipient in recipients:
        notify_match.delay(match_id, event, recipient)
    return len(recipients)


@shared_task(name="worker.digests_send", **NOTIFY_RETRY)
def digests_send() -> dict[str, int]:
    """The daily digests: students' new suggestions, reviewers' queue sizes."""
    sent = {
        "suggestions": notifications.suggestion_digests_send(),
        "review_queue": notifications.review_digests_send(),
    }
    logger.info("Digests sent: %s", sent)
    return sent


@shared_task(name="worker.kpi_snapshot_quarter", **RETRY)
def kpi_snapshot_quarter(period: str | None = None) -> str:
    """Freeze the figures of the quarter that just ended (or of ``period``)."""
    from django.utils import timezone

    from insights import kpis
    from insights import services as insight_services

    quarter = (
        kpis.Period.parse(period)
        if period
        else kpis.Period.quarter_of(timezone.localdate()).previous_quarter()
    )
    snapshot = insight_services.snapshot_take(period=quarter, kind="quarter")
    logger.info("KPI snapshot of %s: %s", quarter.label, snapshot.pk)
    return quarter.label


@shared_task(name="worker.retention_run", **RETRY)
def retention_run() -> dict[str, int]:
    """Daily: warn inactive profiles, erase the ones warned long enough ago, and
    delete old rejected and withdrawn suggestions (the counts are logged)."""
    from privacy import services as privacy

    return privacy.retention_run()


@shared_task(name="worker.notify_report", **NOTIFY_RETRY)
def notify_report(report_id: int) -> int:
    """A student reported a suggestion as wrong: their counsellors hear of it."""
    return notifications.report_notify(report_id=report_id)


@shared_task(name="worker.notify_company_refused", **NOTIFY_RETRY)
def notify_company_refused(company_id: int) -> int:
    """The coordinator refused a company: its members hear why."""
    return notifications.company_refused_notify(company_id=company_id)


@shared_task(name="worker.notify_interview", **NOTIFY_RETRY)
def notify_interview(interview_id: int, event: str, slot_id: int | None = None) -> int:
    """An interview changed: both sides hear of it, with a calendar file."""
    return notifications.interview_notify(interview_id=interview_id, event=event, slot_id=slot_id)


@shared_task(name="worker.notify_enrolment", **NOTIFY_RETRY)
def notify_enrolment(enrolment_id: int, event: str) -> int:
    """A course sign-up's step in the notification lists of those it concerns."""
    return inbox.for_enrolment(enrolment_id=enrolment_id, event=event)


@shared_task(name="worker.notify_guest_request", **NOTIFY_RETRY)
def notify_guest_request(request_id: int, event: str) -> int:
    """A guest-lesson request's step: the side it concerns hears of it, with a
    calendar file once a date is planned or cancelled."""
    return notifications.guest_request_notify(request_id=request_id, event=event)


@shared_task(name="worker.notify_report_handled", **NOTIFY_RETRY)
def notify_report_handled(report_id: int) -> int:
    """A counsellor handled a student's report: the student sees it in the product."""
    return inbox.for_report_handled(report_id=report_id)


@shared_task(name="worker.webhook_event", **RETRY)
def webhook_event(event: str, data: dict) -> int:
    """An event happened: one delivery per subscribed endpoint, each sent at once."""
    ids = webhooks.event_emit(event=event, data=data)
    for pk in ids:
        webhook_deliver.delay(pk)
    return len(ids)


@shared_task(name="worker.webhook_deliver", **RETRY)
def webhook_deliver(delivery_id: int) -> str:
    """One attempt; a failure is tried again by the sweep, with backoff, for a day."""
    return webhooks.delivery_attempt(delivery_id=delivery_id)


@shared_task(name="worker.webhooks_sweep")
def webhooks_sweep() -> int:
    """Every minute: the deliveries whose next attempt is due."""
    due = webhooks.deliveries_due()
    for pk in due:
        webhook_deliver.delay(pk)
    return len(due)
