"""The API's real test: a Python client generated from the served schema with
``openapi-python-client``, as an integrator would make it, drives the whole
chain against a live server as each persona.

A schema change that breaks generation, an import, a typed model or a step of
the chain fails here.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import pkgutil
import subprocess
import sys
import urllib.request
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Organisation
from accounts.services import api_token_create
from marketplace.models import OpeningSkill, Placement, PlacementStatus
from matching.models import Match, MatchState
from tests import factories
from tests.conftest import World

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
PACKAGE = "maakmatch_client"


def _schema(base: str, language: str) -> bytes:
    request = urllib.request.Request(  # noqa: S310 (the test's own live server)
        f"{base}/api/v1/schema/?format=json", headers={"Accept-Language": language}
    )
    with urllib.request.urlopen(request) as response:  # noqa: S310
        return response.read()


def _generate(schema: bytes, folder: Path) -> Path:
    (folder / "schema.json").write_bytes(schema)
    bin_dir = str(Path(sys.executable).parent)  # its post-hook runs ruff from here
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            "schema.json",
            "--meta",
            "none",
            "--output-path",
            PACKAGE,
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    return folder / PACKAGE


def _import_all(folder: Path) -> tuple[ModuleType, int]:
    sys.path.insert(0, str(folder))
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]
    package = importlib.import_module(PACKAGE)
    failed, count = [], 0
    for module in pkgutil.walk_packages(package.__path__, PACKAGE + "."):
        count += 1
        try:
            importlib.import_module(module.name)
        except Exception as error:
            failed.append(f"{module.name}: {error!r}")
    assert failed == [], failed
    return package, count


@pytest.fixture
def client_package(live_server, tmp_path: Path) -> ModuleType:
    dutch = _schema(live_server.url, "nl")
    # One schema whatever the request's language: the client's names stay put.
    assert dutch == _schema(live_server.url, "en")
    folder = _generate(dutch, tmp_path)
    package, count = _import_all(folder.parent)
    assert count > 150  # every operation and model
    yield package
    sys.path.remove(str(folder.parent))


def _chain_data(world: World) -> Match:
    Organisation.objects.filter(pk=world.company_x.pk).update(
        verified_at=timezone.now(), sbb_recognised=True, sbb_recognised_on=dt.date(2020, 1, 1)
    )
    skill = factories.SkillFactory(slug="cnc-draaien")
    opening = factories.OpeningFactory(company=world.company_x, capacity=2, title="Stage CNC")
    OpeningSkill.objects.create(opening=opening, skill=skill)
    profile = factories.ProfileFactory(user=world.sam)
    for _ in range(3):  # other students' suggestions, to filter away
        other = factories.ProfileFactory(
            user=factories.MembershipFactory(role="student", organisation=world.school_a).user
        )
        factories.MatchFactory(profile=other, opening=factories.OpeningFactory())
    return factories.MatchFactory(profile=profile, opening=opening, state=MatchState.SUGGESTED)


def _call(module: Any, **kwargs: Any) -> Any:
    """Call an operation; a non-2xx answer fails with the error body."""
    response = module.sync_detailed(**kwargs)
    assert 200 <= response.status_code < 300, (response.status_code, response.content[:400])
    return response.parsed


def test_the_whole_chain_through_a_generated_client(
    client_package: ModuleType, live_server, world: World
) -> None:
    match = _chain_data(world)
    models = importlib.import_module(f"{PACKAGE}.models")
    ops = sys.modules  # every module was imported by the fixture
    base = live_server.url

    def as_(user: Any) -> Any:
        _token, key = api_token_create(user=user, name="Generated client")
        return client_package.AuthenticatedClient(base_url=base, token=key)

    dirk, sam, bram = as_(world.dirk), as_(world.sam), as_(world.bram)
    s = f"{PACKAGE}.api.suggestions."

    # The counsellor finds the student's suggestion by the student's profile.
    page = _call(ops[s + "suggestions_list"], client=dirk, student=match.profile_id)
    assert [item.id for item in page.results] == [match.pk]
    found = page.results[0]
    assert found.state == models.MatchStateEnum.SUGGESTED
    assert found.student.profile == match.profile_id
    assert found.opening.type_ == models.OpeningTypeEnum(match.opening.type)
    approved = _call(
        ops[s + "suggestions_approve_create"],
        id=match.pk,
        client=dirk,
        body=models.ReasonRequest(reason=""),
    )
    assert approved.state == models.MatchStateEnum.APPROVED

    # The student reads the typed explanation and says yes.
    mine = _call(ops[s + "suggestions_retrieve"], id=match.pk, client=sam)
    assert isinstance(mine.explanation, models.Explanation)
    assert isinstance(mine.explanation.score, float)
    _call(ops[s + "suggestions_yes_create"], id=match.pk, client=sam, body=models.ReasonRequest())

    # The company sees an anonymised candidate and invites with a time.
    forwarded = _call(ops[s + "suggestions_retrieve"], id=match.pk, client=bram)
    candidate = forwarded.candidate
    assert isinstance(candidate, models.Candidate)
    assert candidate.opening == match.opening.slug
    assert candidate.contact is None
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=7)
    invited = _call(
        ops[s + "suggestions_invite_create"],
        id=match.pk,
        client=bram,
        body=models.InviteRequest(
            message="Kom langs in de werkplaats.",
            slots=[
                models.SlotInputRequest(
                    starts_at=start,
                    ends_at=start + dt.timedelta(hours=1),
                    location="Industrieweg 4, Woerden",
                )
            ],
        ),
    )
    assert invited.state == models.MatchStateEnum.INVITED

    # The student accepts and picks the time; timestamps come back in UTC.
    _call(
        ops[s + "suggestions_accept_create"], id=match.pk, client=sam, body=models.ReasonRequest()
    )
    slot = _call(ops[s + "suggestions_retrieve"], id=match.pk, client=sam).interview.slots[0]
    assert slot.starts_at == start
    assert slot.starts_at.utcoffset() == dt.timedelta(0)
    chosen = _call(
        ops[s + "suggestions_interview_choose_create"],
        id=match.pk,
        client=sam,
        body=models.ChooseTimeRequest(slot=slot.id),
    )
    assert chosen.interview.slots[0].chosen is True

    # The company places; then cancels with a reason.
    placement = _call(
        ops[s + "suggestions_place_create"],
        id=match.pk,
        client=bram,
        body=models.PlaceRequestRequest(),
    )
    assert placement.student.profile == match.profile_id
    cancel = importlib.import_module(f"{PACKAGE}.api.placements.placements_cancel_create")
    cancelled = _call(
        cancel,
        id=placement.id,
        client=bram,
        body=models.RequiredReasonRequest(reason="Verhuisd naar Utrecht"),
    )
    assert cancelled.status == models.PlacementStatusEnum.CANCELLED
    assert Placement.objects.get(pk=placement.id).status == PlacementStatus.CANCELLED

    # Anonymous search, and a contradiction refused with the field named.
    anonymous = client_package.Client(base_url=base)
    search = importlib.import_module(f"{PACKAGE}.api.openings.openings_list")
    results = _call(search, client=anonymous, q="CNC", place=match.opening.place.slug, radius_km=10)
    assert match.opening.slug in [o.slug for o in results.results]
    refused = search.sync_detailed(client=anonymous, radius_km=10)
    assert refused.status_code == 400
    assert "radius_km" in json.loads(refused.content)["fields"]

    # The student's data export, typed.
    data = importlib.import_module(f"{PACKAGE}.api.me.me_data_retrieve")
    export = _call(data, client=sam)
    assert export.format_ == "maakmatch-personal-data"
    assert export.exported_at.utcoffset() == dt.timedelta(0)

    # A company offers a guest lesson; the counsellor asks for a class, sees the
    # offer that fits, sends the request; the company proposes a date, the
    # counsellor picks it, and both can fetch the planned lesson.
    g = f"{PACKAGE}.api.guest_offers."
    offer = _call(
        ops[g + "guest_offers_create"],
        client=bram,
        body=models.GuestOfferRequest(
            format_=models.GuestFormatEnum.GUEST_LESSON,
            topic="CNC-draaien in de praktijk",
            description="Een draaier laat zien hoe een serie onderdelen ontstaat.",
            skills=["cnc-draaien"],
            levels=[models.EducationLevelEnum.MBO2],
            venues=[models.GuestVenueEnum.SCHOOL],
            frequency=models.GuestFrequencyEnum.TERM,
            place=match.opening.place.slug,
        ),
    )
    r = f"{PACKAGE}.api.guest_requests."
    asked = _call(
        ops[r + "guest_requests_create"],
        client=dirk,
        body=models.GuestRequestRequest(
            format_=models.GuestFormatEnum.GUEST_LESSON,
            topic="CNC-draaien",
            class_name="2 MT-B",
            level=models.EducationLevelEnum.MBO2,
            pupils=21,
            skills=["cnc-draaien"],
            venues=[models.GuestVenueEnum.SCHOOL],
            place=match.opening.place.slug,
        ),
    )
    assert asked.status == models.GuestRequestStatusEnum.OPEN
    fits = _call(ops[r + "guest_requests_offers_list"], id=asked.id, client=dirk).results
    assert [f.offer.id for f in fits] == [offer.id]
    assert fits[0].skills == 1.0
    _call(
        ops[r + "guest_requests_send_create"],
        id=asked.id,
        client=dirk,
        body=models.GuestSendRequest(offer=offer.id),
    )
    lesson = start + dt.timedelta(days=14)
    proposed = _call(
        ops[r + "guest_requests_accept_create"],
        id=asked.id,
        client=bram,
        body=models.GuestAcceptRequest(
            message="Wij komen graag.",
            slots=[
                models.SlotInputRequest(
                    starts_at=lesson, ends_at=lesson + dt.timedelta(hours=2), location="Lokaal 1.02"
                )
            ],
        ),
    )
    assert proposed.status == models.GuestRequestStatusEnum.PROPOSED
    planned = _call(
        ops[r + "guest_requests_choose_create"],
        id=asked.id,
        client=dirk,
        body=models.ChooseTimeRequest(slot=proposed.slots[0].id),
    )
    assert planned.status == models.GuestRequestStatusEnum.PLANNED
    seen = _call(ops[r + "guest_requests_retrieve"], id=asked.id, client=bram)
    assert seen.slots[0].chosen is True
    assert seen.slots[0].starts_at == lesson
