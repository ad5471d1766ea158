"""Browser tests: Playwright drives Chromium against ``live_server`` on PostgreSQL.

Debian's ``/usr/bin/chromium`` is used where it exists (``.ci/run`` installs it),
Playwright's own browser elsewhere. Without a browser the tests skip, except
under ``MAAKMATCH_REQUIRE_SERVICES=1``, where that is a failure.

Every page a journey visits is checked with axe-core: no violation of impact
"serious" or "critical" may remain.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.management import call_command

# Playwright's sync API runs an event loop in this thread; Django would then
# refuse ORM calls from the test body. The server runs in its own thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BLOCKING_IMPACTS = {"serious", "critical"}
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 780}

pytestmark = [pytest.mark.postgres, pytest.mark.browser]


def _no_browser(reason: str) -> None:
    if settings.REQUIRE_SERVICES:
        pytest.fail(f"MAAKMATCH_REQUIRE_SERVICES=1 but no browser: {reason}")
    pytest.skip(f"no browser: {reason}")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _no_browser(f"playwright is not installed ({exc})")
    executable = next((p for p in CHROMIUM_CANDIDATES if shutil.which(p)), None)
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    except Exception as exc:
        playwright.stop()
        _no_browser(str(exc).splitlines()[0])
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def new_page(browser, live_server):
    """Make a page (a fresh browser context: its own cookies) for one person."""
    contexts = []

    def make(viewport: dict | None = None, language: str = "nl"):
        context = browser.new_context(
            viewport=viewport or DESKTOP, locale="nl-NL" if language == "nl" else "en-GB"
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        if language != "nl":
            context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
        page = context.new_page()
        # Anything the Content-Security-Policy blocks shows up in the console.
        page._csp_errors = []
        page.on(
            "console",
            lambda message, page=page: (
                page._csp_errors.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        return page

    yield make
    for context in contexts:
        context.close()


def axe_check(page) -> None:
    """Fail on any serious or critical accessibility violation on this page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    details = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(n["target"]) for n in v["nodes"][:3])
        for v in blocking
    )
    assert not blocking, f"axe on {page.url}:\n{details}"
    csp = getattr(page, "_csp_errors", [])
    assert not csp, f"the Content-Security-Policy blocked something on {page.url}: {csp}"
    layout_check(page)


# Every word of visible text (split at spaces, hyphens and slashes, where a line
# may break) must lie on one line and inside the window. A word broken inside
# ("Statu|s") gives client rectangles on two lines. Left out: text that is
# hidden on purpose (visually-hidden), code (tokens and links may wrap anywhere),
# and what is not laid out as text (option, svg).
LAYOUT_SCRIPT = r"""
() => {
  const skip = "script, style, title, option, svg, code, .visually-hidden, [hidden], template";
  const broken = [], outside = [];
  const width = window.innerWidth;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!el || el.closest(skip)) continue;
    if (!el.checkVisibility || !el.checkVisibility()) continue;
    const re = /[^\s\-\u2010-\u2014\/]{2,}/g;
    let m;
    while ((m = re.exec(node.data))) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const rects = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
      if (!rects.length) continue;
      const lines = new Set(rects.map(r => Math.round(r.top)));
      if (lines.size > 1) broken.push(m[0]);
      const scroller = el.closest(".mm-table-container, .mm-nav__list");
      if (!scroller && Math.max(...rects.map(r => r.right)) > width + 1) outside.push(m[0]);
    }
  }
  return {broken, outside, scrollWidth: document.documentElement.scrollWidth, width};
}
"""


def layout_check(page) -> None:
    """Fail when a word is broken inside or the page scrolls sideways."""
    found = page.evaluate(LAYOUT_SCRIPT)
    where = f"{page.url} at {found['width']} px"
    assert not found["broken"], f"words broken inside on {where}: {found['broken'][:10]}"
    assert not found["outside"], f"words outside the window on {where}: {found['outside'][:10]}"
    assert found["scrollWidth"] <= found["width"], (
        f"{where} scrolls sideways: {found['scrollWidth']} px wide"
    )


@dataclass
class Region:
    password: str
    student: str = "student@demo.maakmatch.nl"
    counsellor: str = "decaan@demo.maakmatch.nl"
    company: str = "bedrijf@demo.maakmatch.nl"
    coordinator: str = "coordinator@demo.maakmatch.nl"
    career_changer: str = "zijinstromer@demo.maakmatch.nl"


@pytest.fixture
def region(transactional_db: None) -> Region:
    """The deal's real partner schools and learning locations, the skills
    taxonomy and places, and one demo login per role."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.demo import DEMO_PASSWORD, demo_accounts_create
    from accounts.models import User

    call_command("load_reference_data", verbosity=0)
    demo_accounts_create()
    region = Region(password=DEMO_PASSWORD)
    # The coordinator has an authenticator app: every login asks its code.
    TOTPDevice.objects.create(
        user=User.objects.get(email=region.coordinator), name="telefoon", confirmed=True
    )
    return region


def log_in(page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base_url}/dashboard/")
    _second_factor(page, base_url, email)


def _second_factor(page, base_url: str, email: str) -> None:
    """Enter the current code of the person's authenticator, if they have one."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user__email=email, confirmed=True).first()
    if device is None:
        return
    page.goto(f"{base_url}/account/two-factor/verify/?next=/dashboard/")
    axe_check(page)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.fill("input[name=token]", f"{totp.token():06d}")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base_url}/dashboard/")


def visit(page, url: str) -> None:
    """Open a page, check it answered, and check it with axe."""
    response = page.goto(url)
    assert response is not None
    assert response.status < 400, f"{url} answered {response.status}"
    axe_check(page)
