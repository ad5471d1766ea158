"""The review queue and the planner at a school's scale: filters in the URL,
sorting and grouping, select-and-decide, planning by class with places left and
reasons, duplicate names told apart, and query counts that stay flat."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership, Role
from matching.models import Match, MatchState
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db
S = MatchState


def _student(world: World, name: str, klas: str, school=None, born: int = 2006, **profile):
    user = factories.UserFactory(full_name=name, date_of_birth=dt.date(born, 5, 1))
    factories.MembershipFactory(user=user, organisation=school or world.school_a, class_name=klas)
    factories.ProfileFactory(user=user, **profile)
    return user


def _suggest(student, score: float = 0.5, **opening: object) -> Match:
    return factories.MatchFactory(
        profile=student.profile,
        opening=factories.OpeningFactory(**opening),
        score=score,
        state=S.SUGGESTED,
    )


def _queue(client: Client, **params: object) -> str:
    return client.get(reverse("web:review_queue"), params).content.decode()


def test_the_queue_filters_by_class_programme_level_type_place_and_band(
    client: Client, world: World
) -> None:
    ali = _student(world, "Ali Yilmaz", "ELT2A", programme="Eerste monteur elektrotechniek")
    bo = _student(
        world, "Bo de Vries", "MT3B", programme="Monteur mechatronica", education_level="mbo4"
    )
    _suggest(ali, 0.6, title="Stage elektro", type="bol")
    _suggest(
        bo,
        0.3,
        title="Leerbaan mechatronica",
        type="bbl",
        place=factories.PlaceFactory(name="Montfoort", slug="montfoort"),
    )
    _suggest(bo, 0.1, title="Snuffeldag", type="orientation")
    client.force_login(world.dirk)

    html = _queue(client, klas="ELT2A")
    assert "Stage elektro" in html
    assert "Leerbaan mechatronica" not in html
    assert "1 suggestie past bij deze filters" in html
    html = _queue(client, programme="Monteur mechatronica")
    assert "Leerbaan mechatronica" in html
    assert "Stage elektro" not in html
    html = _queue(client, education_level="mbo4", type="bbl")
    assert "Leerbaan mechatronica" in html
    assert "Snuffeldag" not in html
    html = _queue(client, municipality="montfoort")
    assert "Leerbaan mechatronica" in html
    assert "Stage elektro" not in html
    assert "Snuffeldag" not in html
    html = _queue(client, band="strong")
    assert "Stage elektro" in html
    assert "Leerbaan mechatronica" not in html
    html = _queue(client, band="good")
    assert "Leerbaan mechatronica" in html
    assert "Stage elektro" not in html
    html = _queue(client, band="possible")
    assert "Snuffeldag" in html
    assert "Stage elektro" not in html
    html = _queue(client, klas="ELT2A", band="possible")
    assert "Geen suggestie past bij deze filters." in html


def test_the_class_choices_are_the_counsellors_own_students_only(
    client: Client, world: World
) -> None:
    _suggest(_student(world, "Ali Yilmaz", "ELT2A"), title="Stage elektro")
    other = _student(world, "Geheim Leerling", "GEHEIM1", school=world.school_b)
    _suggest(other, title="Stage van een andere school")
    client.force_login(world.dirk)
    html = _queue(client)
    assert "ELT2A" in html
    assert "GEHEIM1" not in html
    # Naming another school's class is refused as a choice, and shows nothing of it.
    html = _queue(client, klas="GEHEIM1")
    assert "Stage van een andere school" not in html
    assert "Geheim Leerling" not in html
    assert "Stage elektro" not in html
    client.force_login(world.olga)
    html = _queue(client)
    assert "GEHEIM1" in html
    assert "ELT2A" not in html
    assert "Stage elektro" not in html
    assert "Ali Yilmaz" not in html


def test_sort_by_student_groups_the_cards_and_sort_by_date(client: Client, world: World) -> None:
    zoe = _student(world, "Zoë Zandbergen", "ELT2A")
    ann = _student(world, "Ann Aalders", "ELT2A")
    _suggest(zoe, 0.9, title="Eerst op score")
    old = _suggest(ann, 0.2, title="Oude suggestie")
    Match.objects.filter(pk=old.pk).update(created_at=old.created_at - dt.timedelta(days=3))
    _suggest(ann, 0.3, title="Nieuwe suggestie")
    client.force_login(world.dirk)
    html = _queue(client)
    assert html.index("Eerst op score") < html.index("Nieuwe suggestie")
    html = _queue(client, sort="student")
    headings = re.findall(r'<h3 id="student-\d+">([^<]+)', html)
    assert [h.strip() for h in headings] == ["Ann Aalders", "Zoë Zandbergen"]
    assert (
        html.index("Nieuwe suggestie") < html.index("Oude suggestie") < html.index("Eerst op score")
    )
    html = _queue(client, sort="date")
    assert html.index("Nieuwe suggestie") < html.index("Oude suggestie")


def test_pagination_keeps_the_filters(client: Client, world: World) -> None:
    ali = _student(world, "Ali Yilmaz", "ELT2A")
    for n in range(30):
        _suggest(ali, 0.5, title=f"Plek {n}")
    client.force_login(world.dirk)
    html = _queue(client, klas="ELT2A", sort="student")
    assert "30 suggesties passen bij deze filters" in html
    assert re.search(r'href="\?[^"]*klas=ELT2A[^"]*page=2|href="\?[^"]*page=2[^"]*klas=ELT2A', html)


def test_approve_and_reject_a_selection_and_return_to_the_filtered_queue(
    client: Client, world: World
) -> None:
    ali = _student(world, "Ali Yilmaz", "ELT2A")
    a, b, c = (_suggest(ali, 0.5, title=f"Plek {n}") for n in range(3))
    client.force_login(world.dirk)
    response = client.post(
        reverse("web:review_batch"),
        {"match": [a.pk, b.pk], "action": "reject", "preset": "distance", "query": "klas=ELT2A"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("web:review_queue") + "?klas=ELT2A"
    assert {m.state for m in Match.objects.filter(pk__in=[a.pk, b.pk])} == {S.REJECTED}
    # The reason on the record is the preset's words.
    from audit.models import AuditEntry

    assert AuditEntry.objects.filter(match=a, to_state=S.REJECTED).get().reason == "Te ver weg"
    # Rejecting without any reason changes nothing and says why.
    response = client.post(
        reverse("web:review_batch"), {"match": [c.pk], "action": "reject"}, follow=True
    )
    assert "Kies een reden of schrijf er een." in response.content.decode()
    assert Match.objects.get(pk=c.pk).state == S.SUGGESTED
    response = client.post(
        reverse("web:review_batch"), {"match": [c.pk], "action": "approve"}, follow=True
    )
    assert "1 suggestie goedgekeurd" in response.content.decode()
    # A query string that is not a plain one is ignored, not followed.
    response = client.post(reverse("web:review_batch"), {"match": [c.pk], "query": "x=<script>"})
    assert response["Location"] == reverse("web:review_queue")


def test_an_outsider_cannot_decide_a_selection(client: Client, world: World) -> None:
    ali = _student(world, "Ali Yilmaz", "ELT2A")
    match = _suggest(ali)
    client.force_login(world.olga)
    client.post(
        reverse("web:review_batch"), {"match": [match.pk], "action": "reject", "preset": "level"}
    )
    client.post(reverse("web:review_batch"), {"match": [match.pk], "action": "approve"})
    assert Match.objects.get(pk=match.pk).state == S.SUGGESTED


def test_the_select_all_box_is_on_the_page(client: Client, world: World) -> None:
    _suggest(_student(world, "Ali Yilmaz", "ELT2A"))
    client.force_login(world.dirk)
    html = _queue(client)
    assert 'data-select-all="batch-form"' in html
    assert "select-all.js" in html


def _queue_queries(client: Client, **params: object) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("web:review_queue"), params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", [{}, {"klas": "ELT2A", "sort": "student", "band": "good"}])
def test_the_filtered_queue_costs_the_same_queries_for_20_and_200(
    client: Client, world: World, params: dict
) -> None:
    def grow(n: int) -> None:
        opening = factories.OpeningFactory(title="Gedeelde plek", capacity=5)
        for i in range(n):
            student = _student(world, f"Leerling {Match.objects.count()}-{i}", "ELT2A")
            factories.MatchFactory(
                profile=student.profile, opening=opening, score=0.3, state=S.SUGGESTED
            )

    client.force_login(world.dirk)
    grow(20)
    small = _queue_queries(client, **params)
    grow(180)
    large = _queue_queries(client, **params)
    assert Match.objects.count() == 200
    assert small == large


# ----- planning by class ------------------------------------------------------------


def _plan(client: Client, **params: object) -> str:
    return client.get(reverse("web:planner"), params).content.decode()


def test_plan_a_whole_class_with_places_left_and_who_stays_unplaced(
    client: Client, world: World
) -> None:
    ali = _student(world, "Ali Yilmaz", "ELT2A")
    bo = _student(world, "Bo de Vries", "ELT2A")
    cem = _student(world, "Cem Kaya", "ELT2A")
    _student(world, "Dana Anders", "MT3B")
    one_place = factories.OpeningFactory(title="Eén plek", capacity=2)
    factories.MatchFactory(profile=ali.profile, opening=one_place, score=0.6, state=S.SUGGESTED)
    factories.MatchFactory(profile=bo.profile, opening=one_place, score=0.5, state=S.SUGGESTED)
    cem.profile.delete()
    client.force_login(world.dirk)

    html = _plan(client, klas="ELT2A")
    assert "Ali Yilmaz" in html
    assert "Cem Kaya" in html
    assert "Dana Anders" not in html
    assert 'data-select-all="plan-form"' in html
    html = _plan(client, klas="ELT2A", whole="1")
    assert "Niet geplaatst: Nog geen profiel" in html  # Cem
    places = html[html.index("Plaatsen per vacature") :]
    assert re.search(r"Eén plek.*?<td[^>]*>2</td><td[^>]*>2</td><td[^>]*>0</td>", places, re.S)
    assert "De 2 voorgestelde suggesties goedkeuren" in html
    # Ticking some plans only those.
    html = _plan(client, klas="ELT2A", student=[bo.pk])
    assert "Bo de Vries" in html
    rows = html[html.index("Voorgesteld plan") :]
    assert "Ali Yilmaz" not in rows


def test_a_class_with_more_students_than_places_says_why(client: Client, world: World) -> None:
    ali = _student(world, "Ali Yilmaz", "ELT2A")
    bo = _student(world, "Bo de Vries", "ELT2A")
    one_place = factories.OpeningFactory(title="Eén plek", capacity=1)
    factories.MatchFactory(profile=ali.profile, opening=one_place, score=0.6, state=S.SUGGESTED)
    factories.MatchFactory(profile=bo.profile, opening=one_place, score=0.5, state=S.SUGGESTED)
    client.force_login(world.dirk)
    html = _plan(client, klas="ELT2A", whole="1")
    assert "gingen naar klasgenoten" in html


def test_duplicate_names_show_their_class_and_year_of_birth(client: Client, world: World) -> None:
    _student(world, "Sanne de Jong", "ELT2A", born=2006)
    _student(world, "sanne de jong", "MT3B", born=2007)
    _student(world, "Uniek Persoon", "MT3B", born=2005)
    client.force_login(world.dirk)
    html = _plan(client, programme="")  # no group: an error, no list
    assert "Kies een klas of een opleiding." in html
    html = _plan(client, klas="MT3B")
    assert 'sanne de jong <span class="help">(MT3B, geboren 2007)' in html
    assert 'Uniek Persoon <span class="help">(MT3B)</span>' in html


def test_the_planner_offers_no_class_of_another_school(client: Client, world: World) -> None:
    _student(world, "Geheim Leerling", "GEHEIM1", school=world.school_b)
    client.force_login(world.dirk)
    html = _plan(client)
    assert "GEHEIM1" not in html
    html = _plan(client, klas="GEHEIM1", whole="1")
    assert "Geheim Leerling" not in html


def test_a_class_comes_from_the_class_list_invitation(client: Client, world: World) -> None:
    invitation = factories.InvitationFactory(
        organisation=world.school_a, role=Role.STUDENT, class_name="ELT2A", email="ali@example.nl"
    )
    from accounts.services import invitation_accept_signup

    user = invitation_accept_signup(
        invitation=invitation,
        email="ali@example.nl",
        full_name="Ali",
        password="een-lang-wachtwoord-42",
        date_of_birth=dt.date(2006, 1, 1),
    )
    assert Membership.objects.get(user=user, organisation=world.school_a).class_name == "ELT2A"
