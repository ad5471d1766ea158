"""Counsellors' pages: the review queue (one by one, in place with htmx, as a
batch), the placement planner, and students with profile completeness."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from marketplace.models import ProfileSkill
from matching.models import Match, MatchState
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db
S = MatchState


def _suggestion(world: World, student=None, score: float = 0.8, **opening: object) -> Match:
    student = student or world.sam
    profile = getattr(student, "profile", None) or factories.ProfileFactory(user=student)
    return factories.MatchFactory(
        profile=profile,
        opening=factories.OpeningFactory(company=world.company_x, **opening),
        state=S.SUGGESTED,
        score=score,
    )


def test_the_queue_shows_own_students_suggestions_only(client: Client, world: World) -> None:
    mine = _suggestion(world, title="Stage voor Sam")
    _suggestion(world, student=factories.UserFactory(), title="Iemand anders")
    client.force_login(world.dirk)
    html = client.get(reverse("web:review_queue")).content.decode()
    assert "Stage voor Sam" in html
    assert world.sam.full_name in html
    assert "Iemand anders" not in html
    assert AuditEntry.objects.filter(actor=world.dirk, student=world.sam, action="view").exists()
    assert reverse("web:review_step", args=[mine.pk, "approve"]) in html


def test_approve_in_place_with_htmx(client: Client, world: World) -> None:
    match = _suggestion(world)
    client.force_login(world.dirk)
    response = client.post(
        reverse("web:review_step", args=[match.pk, "approve"]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<li class="mm-card" id="suggestion-{match.pk}"')
    assert "Goedgekeurd" in html
    assert Match.objects.get(pk=match.pk).state == S.APPROVED


def test_reject_needs_a_reason_and_keeps_the_card(client: Client, world: World) -> None:
    match = _suggestion(world)
    client.force_login(world.dirk)
    url = reverse("web:review_step", args=[match.pk, "reject"])
    html = client.post(url, {"reason": ""}, HTTP_HX_REQUEST="true").content.decode()
    assert "Kies een reden of schrijf er een." in html
    assert Match.objects.get(pk=match.pk).state == S.SUGGESTED
    response = client.post(url, {"reason": "Te ver reizen"}, follow=True)
    assert "Afgewezen" in response.content.decode()
    match.refresh_from_db()
    assert match.state == S.REJECTED
    assert AuditEntry.objects.filter(match=match, to_state=S.REJECTED).get().reason == (
        "Te ver reizen"
    )


def test_reject_with_a_preset_reason_and_an_explanation(client: Client, world: World) -> None:
    """The presets are offered on the card; the chosen one, with any free text,
    is the reason on the record (and the student's to read)."""
    match, other = _suggestion(world, title="Eerste"), _suggestion(world, title="Tweede")
    client.force_login(world.dirk)
    html = client.get(reverse("web:review_queue")).content.decode()
    assert '<option value="distance">Te ver weg</option>' in html
    url = reverse("web:review_step", args=[match.pk, "reject"])
    client.post(url, {"preset": "distance", "reason": "anderhalf uur met de bus"})
    entry = AuditEntry.objects.get(match=match, to_state=S.REJECTED)
    assert entry.reason == "Te ver weg: anderhalf uur met de bus"
    url = reverse("web:review_step", args=[other.pk, "reject"])
    client.post(url, {"preset": "level"})
    assert AuditEntry.objects.get(match=other, to_state=S.REJECTED).reason == "Niveau past niet"
    third = _suggestion(world, title="Derde")
    url = reverse("web:review_step", args=[third.pk, "reject"])
    html = client.post(url, {"preset": "bogus"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Selecteer een geldige keuze" in html
    assert Match.objects.get(pk=third.pk).state == S.SUGGESTED


def test_batch_approve_reports_the_ones_that_wait_for_consent(client: Client, world: World) -> None:
    a = _suggestion(world, title="Eerste")
    b = _suggestion(world, title="Tweede")
    minor = _suggestion(world, student=world.lotte, title="Voor Lotte")
    client.force_login(world.dirk)
    response = client.post(
        reverse("web:review_batch"), {"match": [a.pk, b.pk, minor.pk]}, follow=True
    )
    html = response.content.decode()
    assert "2 suggesties goedgekeurd" in html
    assert "toestemming" in html
    states = dict(Match.objects.values_list("pk", "state"))
    assert states == {a.pk: S.APPROVED, b.pk: S.APPROVED, minor.pk: S.SUGGESTED}


def test_an_outsider_counsellor_cannot_decide(client: Client, world: World) -> None:
    match = _suggestion(world)
    client.force_login(world.olga)
    assert "Stage" not in client.get(reverse("web:review_queue")).content.decode()
    for step in ("approve", "reject"):
        url = reverse("web:review_step", args=[match.pk, step])
        assert client.post(url, {"reason": "x"}).status_code == 404
    client.post(reverse("web:review_batch"), {"match": [match.pk]})
    assert Match.objects.get(pk=match.pk).state == S.SUGGESTED
    client.force_login(world.bram)  # a company member has no queue at all
    assert client.get(reverse("web:review_queue")).status_code == 403


def test_the_planner_respects_places_and_approves_as_a_batch(client: Client, world: World) -> None:
    ann = factories.UserFactory(full_name="Ann", date_of_birth=dt.date(2005, 1, 1))
    factories.MembershipFactory(user=ann, organisation=world.school_a)
    one_place = factories.OpeningFactory(company=world.company_x, capacity=1, title="Eén plek")
    other = factories.OpeningFactory(company=world.company_x, capacity=1, title="Andere plek")
    sam_p = factories.ProfileFactory(user=world.sam)
    ann_p = factories.ProfileFactory(user=ann)
    # Greedy would give Sam the best pair (0.9) and leave Ann with nothing;
    # the optimum gives Sam 'Andere plek' and Ann 'Eén plek' (0.8 + 0.85 > 0.9).
    factories.MatchFactory(profile=sam_p, opening=one_place, score=0.9, state=S.SUGGESTED)
    sam_other = factories.MatchFactory(profile=sam_p, opening=other, score=0.8, state=S.SUGGESTED)
    ann_one = factories.MatchFactory(
        profile=ann_p, opening=one_place, score=0.85, state=S.SUGGESTED
    )
    client.force_login(world.dirk)
    html = client.get(reverse("web:planner"), {"student": [world.sam.pk, ann.pk]}).content.decode()
    assert "1.65" in html or "1,65" in html
    response = client.post(
        reverse("web:planner"), {"match": [sam_other.pk, ann_one.pk]}, follow=True
    )
    assert "2 suggesties goedgekeurd" in response.content.decode()
    assert Match.objects.get(pk=sam_other.pk).state == S.APPROVED
    assert Match.objects.get(pk=ann_one.pk).state == S.APPROVED


def test_the_planner_ignores_students_of_other_schools(client: Client, world: World) -> None:
    stranger = factories.UserFactory(full_name="Niet van deze school")
    factories.MembershipFactory(user=stranger, organisation=world.school_b)
    _suggestion(world, student=stranger, title="Geheime stage")
    client.force_login(world.dirk)
    html = client.get(reverse("web:planner"), {"student": [stranger.pk]}).content.decode()
    assert "Niet van deze school" not in html
    assert "Geheime stage" not in html


def test_students_with_profile_completeness(client: Client, world: World) -> None:
    profile = factories.ProfileFactory(
        user=world.sam, about="", experience="", sectors=[], available_from=None
    )
    for _ in range(3):
        ProfileSkill.objects.create(profile=profile, skill=factories.SkillFactory(), level=2)
    client.force_login(world.dirk)
    html = client.get(reverse("web:students")).content.decode()
    # headline, level, place, wanted types, skills: 5 of 8 parts
    assert 'value="62"' in html
    assert "over mij" in html
    assert world.lotte.full_name in html  # no profile yet: 0%
    assert 'value="0"' in html
    client.force_login(world.olga)
    assert world.sam.full_name not in client.get(reverse("web:students")).content.decode()


def test_the_planner_with_nothing_to_plan_and_odd_ids(client: Client, world: World) -> None:
    client.force_login(world.dirk)
    response = client.get(reverse("web:planner"), {"student": [world.sam.pk, "²", "9" * 30]})
    assert response.status_code == 200
    assert "Niet geplaatst: Nog geen profiel" in response.content.decode()
    response = client.post(reverse("web:review_batch"), {"match": ["²", "9" * 30]})
    assert response.status_code == 302


def test_the_planner_leaves_out_a_student_already_on_their_way(
    client: Client, world: World
) -> None:
    profile = factories.ProfileFactory(user=world.sam)
    factories.MatchFactory(profile=profile, state=S.INVITED)
    waiting = factories.MatchFactory(
        profile=profile, opening=factories.OpeningFactory(title="Tweede keus"), state=S.SUGGESTED
    )
    client.force_login(world.dirk)
    html = client.get(reverse("web:planner"), {"student": [world.sam.pk]}).content.decode()
    assert "Tweede keus" not in html
    assert "Al onderweg" in html
    assert waiting.pk


def test_a_second_click_shows_the_decided_card(client: Client, world: World) -> None:
    match = _suggestion(world)
    client.force_login(world.dirk)
    url = reverse("web:review_step", args=[match.pk, "approve"])
    client.post(url, HTTP_HX_REQUEST="true")
    again = client.post(url, HTTP_HX_REQUEST="true")
    assert again.status_code == 200
    assert "is al besloten" in again.content.decode()
    client.force_login(world.olga)
    assert client.post(url, HTTP_HX_REQUEST="true").status_code == 404


@pytest.mark.parametrize("step", ["approve", "reject"])
@pytest.mark.parametrize("htmx", [True, False])
def test_a_company_never_gets_the_review_card_of_its_candidate(
    client: Client, world: World, step: str, htmx: bool
) -> None:
    """Regression: a company member POSTing to the review URL of a candidate
    forwarded to it got the reviewer's card, with the 14-year-old's full name."""
    profile = factories.ProfileFactory(user=world.lotte)
    opening = factories.OpeningFactory(company=world.company_x)
    match = factories.MatchFactory(profile=profile, opening=opening, state=S.STUDENT_YES)
    client.force_login(world.bram)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(
        reverse("web:review_step", args=[match.pk, step]), {"reason": "x"}, **headers
    )
    assert response.status_code == 403
    body = response.content.decode()
    assert world.lotte.full_name not in body
    assert world.lotte.email not in body
    assert Match.objects.get(pk=match.pk).state == S.STUDENT_YES


def test_a_decided_card_is_shown_to_its_reviewer_and_logged(client: Client, world: World) -> None:
    match = _suggestion(world)
    Match.objects.filter(pk=match.pk).update(state=S.STUDENT_YES)
    url = reverse("web:review_step", args=[match.pk, "approve"])
    client.force_login(world.dirk)
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert world.sam.full_name in response.content.decode()
    assert AuditEntry.objects.filter(actor=world.dirk, student=world.sam, match=match).exists()
    # Another school's counsellor finds nothing.
    client.force_login(world.olga)
    other = client.post(url, HTTP_HX_REQUEST="true")
    assert other.status_code == 404
    assert world.sam.full_name not in other.content.decode()
