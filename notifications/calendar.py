"""Interviews and guest lessons as iCalendar (RFC 5545) files (``icalendar``).

One event per interview or guest-lesson request (its ``uid``): a chosen or moved time goes out as
METHOD:REQUEST, a cancelled one as METHOD:CANCEL, each with the event's
current SEQUENCE, so a calendar updates or removes the event it already holds.
Times are written in Europe/Amsterdam with its VTIMEZONE, as people planned them.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings

from matching.models import Interview, InterviewSlot

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PRODUCT_ID = "-//MaakMatch//Interviews//NL"


def event_ics(
    *,
    uid: object,
    sequence: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    location: str,
    summary: str,
    description: str,
    cancel: bool,
) -> bytes:
    """One event as a calendar file: a request, or its cancellation. Interviews
    and guest lessons both go out through this."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")
    event = icalendar.Event()
    event.add("uid", f"{uid}@maakmatch")
    event.add("sequence", sequence)
    event.add("dtstamp", dt.datetime.now(dt.UTC))
    event.add("dtstart", starts_at.astimezone(AMSTERDAM))
    event.add("dtend", ends_at.astimezone(AMSTERDAM))
    event.add("summary", summary)
    event.add("description", description)
    event.add("location", location)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    if location.startswith(("https://", "http://")):
        event.add("url", location)
    event.add("organizer", f"mailto:{settings.DEFAULT_FROM_EMAIL}")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def interview_ics(
    *, interview: Interview, slot: InterviewSlot, summary: str, description: str, cancel: bool
) -> bytes:
    """The calendar file for one interview's time: a request, or its cancellation."""
    return event_ics(
        uid=interview.uid,
        sequence=interview.sequence,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        location=slot.location,
        summary=summary,
        description=description,
        cancel=cancel,
    )
