"""What the notifications remember: which digest went to whom on which day."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
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


class NotificationKind(models.TextChoices):
    APPROVED = "approved", _("new suggestion")
    INVITED = "invited", _("invitation")
    FORWARDED = "forwarded", _("new candidate")
    ACCEPTED = "accepted", _("invitation accepted")
    PLACED = "placed", _("placement confirmed")
    WITHDRAWN = "withdrawn", _("suggestion ended")
    INTERVIEW_PROPOSED = "interview_proposed", _("interview times proposed")
    INTERVIEW_OTHER_TIME = "interview_other_time", _("another interview time asked")
    INTERVIEW_CHOSEN = "interview_chosen", _("interview time chosen")
    INTERVIEW_MOVED = "interview_moved", _("interview moved")
    INTERVIEW_CANCELLED = "interview_cancelled", _("interview cancelled")
    REPORT_HANDLED = "report_handled", _("report handled")
    COURSE_SIGN_UP = "course_sign_up", _("course sign-up")
    COURSE_CONFIRMED = "course_confirmed", _("course sign-up confirmed")
    COURSE_DECLINED = "course_declined", _("course sign-up declined")
    COURSE_COMPLETED = "course_completed", _("course completed")
    GUEST_REQUESTED = "guest_requested", _("guest lesson asked for")
    GUEST_PROPOSED = "guest_proposed", _("guest lesson dates proposed")
    GUEST_DECLINED = "guest_declined", _("guest lesson declined")
    GUEST_PLANNED = "guest_planned", _("guest lesson planned")
    GUEST_CANCELLED = "guest_cancelled", _("guest lesson cancelled")


class Notification(models.Model):
    """One line in a person's notification list in the header: what happened
    (a kind with its facts, said in the reader's language when shown), where it
    leads, and whether it was read. E-mail stays for the daily digest."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    # The facts the sentence needs: the opening's title, the company, a name
    # only where the reader may see it.
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values), name="notification_kind"
            ),
            models.CheckConstraint(condition=Q(url__startswith="/"), name="notification_url_local"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for user {self.user_id}"


class WebhookEvent(models.TextChoices):
    SUGGESTION_APPROVED = "suggestion.approved", "suggestion.approved"
    SUGGESTION_STUDENT_YES = "suggestion.student_yes", "suggestion.student_yes"
    INVITATION_ACCEPTED = "invitation.accepted", "invitation.accepted"
    PLACEMENT_CONFIRMED = "placement.confirmed", "placement.confirmed"
    PLACEMENT_CANCELLED = "placement.cancelled", "placement.cancelled"
    OPENING_FILLED = "opening.filled", "opening.filled"
    IMPORT_FINISHED = "import.finished", "import.finished"


class WebhookEndpoint(models.Model):
    """An organisation's HTTPS endpoint for events. Deliveries are signed with
    its secret (HMAC-SHA256), which is kept to sign and shown once."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(_("address"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one endpoint, with its attempts. The payload holds ids only."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    given_up_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveIntegerField(null=True, blank=True)
    last_response = models.TextField(blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(event__in=WebhookEvent.values), name="webhook_event_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint_id}"

    @property
    def status(self) -> str:
        if self.delivered_at is not None:
            return "delivered"
        if self.given_up_at is not None:
            return "failed"
        return "pending"
