"""Interviews as iCalendar (RFC 5545) files, made with the ``icalendar`` library.

One event per interview (its ``uid``): a chosen or moved time goes out as
METHOD:REQUEST, a cancelled one as METHOD:CANCEL, each with the interview's
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


def interview_ics(
    *, interview: Interview, slot: InterviewSlot, summary: str, description: str, cancel: bool
) -> bytes:
    """The calendar file for one interview's time: a request, or its cancellation."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")
    event = icalendar.Event()
    event.add("uid", f"{interview.uid}@maakmatch")
    event.add("sequence", interview.sequence)
    event.add("dtstamp", dt.datetime.now(dt.UTC))
    event.add("dtstart", slot.starts_at.astimezone(AMSTERDAM))
    event.add("dtend", slot.ends_at.astimezone(AMSTERDAM))
    event.add("summary", summary)
    event.add("description", description)
    event.add("location", slot.location)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    if slot.location.startswith(("https://", "http://")):
        event.add("url", slot.location)
    event.add("organizer", f"mailto:{settings.DEFAULT_FROM_EMAIL}")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
