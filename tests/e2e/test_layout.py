"""The layout at 360, 768 and 1280 px: no word broken inside, nothing wider
than the window, and data tables that turn into labelled cards on a phone.

``visit`` runs the same layout check on every page of every journey (in
``axe_check``); this test adds the sizes and the tables.
"""

from __future__ import annotations

import pytest

from matching.models import MatchState
from tests.e2e.conftest import DESKTOP, PHONE, Region, log_in, visit
from tests.e2e.test_roles import _suggestion

pytestmark = [pytest.mark.postgres, pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TABLET = {"width": 768, "height": 1024}
SIZES = [PHONE, TABLET, DESKTOP]

# The first data cell of the first table, as laid out: a table cell, or a block
# with its column's header shown before the value.
CELL_SCRIPT = """
() => {
  const td = document.querySelector(
    "main table.mm-table tbody td[data-label]:not([data-label=''])");
  if (!td) return null;
  return {
    display: getComputedStyle(td).display,
    label: td.dataset.label,
    before: getComputedStyle(td, "::before").content,
    // No value spills out of its cell (a fixed cell height would let rows overlap).
    spills: [...document.querySelectorAll("main table.mm-table tbody :is(td, th)")]
      .filter(c => c.scrollHeight > c.clientHeight + 1).length,
    headerShown:
      getComputedStyle(td.closest("table").querySelector("thead")).position !== "absolute",
  };
}
"""


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s['width']}px")
def test_pages_fit_and_tables_adapt(region: Region, new_page, live_server, size: dict) -> None:
    match = _suggestion(region, MatchState.STUDENT_YES)
    base = live_server.url
    pages = [
        (None, ["/", "/openings/", f"/openings/{match.opening.slug}/", "/algorithm/"]),
        (region.student, ["/dashboard/", "/student/suggestions/", "/student/profile/"]),
        (
            region.company,
            [
                "/dashboard/",
                "/company/openings/",
                f"/company/openings/{match.opening.slug}/candidates/",
            ],
        ),
        (
            region.counsellor,
            [
                "/dashboard/",
                "/counsellor/students/",
                "/counsellor/invitations/",
                "/counsellor/review/",
            ],
        ),
        (region.coordinator, ["/dashboard/", "/coordinator/kpis/", "/coordinator/skills-gap/"]),
    ]
    tables = 0
    for email, urls in pages:
        page = new_page(viewport=size)
        if email:
            log_in(page, base, email, region.password)
        for url in urls:
            visit(page, base + url)  # axe, then no broken word, nothing sideways
            if size is PHONE:  # the header leaves the phone's screen to the page
                header = page.evaluate("document.querySelector('.mm-header').offsetHeight")
                assert header <= 110, f"{url}: the header takes {header} px at 360 px"
            cell = page.evaluate(CELL_SCRIPT)
            if cell is None:
                continue
            tables += 1
            assert cell["spills"] == 0, f"{url}: {cell['spills']} cells spill at {size['width']} px"
            if size is PHONE:
                assert cell["display"] != "table-cell", f"{url}: a table at 360 px"
                assert cell["before"] == f'"{cell["label"]}"', f"{url}: a value without its label"
                assert not cell["headerShown"]
            else:
                assert cell["display"] == "table-cell", f"{url}: no table at {size['width']} px"
                assert cell["before"] in ("none", "normal")
                assert cell["headerShown"]
    assert tables >= 4  # the openings, students, invitations, figures and gap tables
