"""The main page of each role, at desktop width and at 360 px, as PNG files.

``make screenshots`` writes them to ``docs/screenshots/`` (the README shows
them); in a normal test run they go to a temporary folder, so the run checks
that every page renders at both sizes without touching the repository.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from matching.models import MatchState
from tests.e2e.conftest import DESKTOP, PHONE, Region, log_in, visit
from tests.e2e.test_roles import _suggestion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_main_page_per_role(region: Region, new_page, live_server, tmp_path: Path) -> None:
    target = Path(os.environ.get("MAAKMATCH_SCREENSHOT_DIR") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    match = _suggestion(region, MatchState.STUDENT_YES)
    pages = [
        ("visitor", None, "/"),
        ("student", region.student, "/student/suggestions/"),
        ("company", region.company, f"/company/openings/{match.opening.slug}/candidates/"),
        ("counsellor", region.counsellor, "/counsellor/students/"),
        ("coordinator", region.coordinator, "/coordinator/companies/"),
    ]
    written = []
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        for role, email, url in pages:
            page = new_page(viewport=viewport)
            if email:
                log_in(page, live_server.url, email, region.password)
            visit(page, live_server.url + url)
            path = target / f"{role}-{size}.png"
            page.screenshot(path=str(path), full_page=True)
            written.append(path)
    for path in written:
        assert path.read_bytes()[:8] == PNG_MAGIC, path
