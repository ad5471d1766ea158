"""The student's "my suggestions" page: what shows, the yes/no answers, and outsiders."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from matching.models import Match, MatchState
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db
S = MatchState


def _match(world: World, state: str, score: float = 0.8, **kwargs: object) -> Match:
    profile = getattr(world.sam, "profile", None) or factories.ProfileFactory(user=world.sam)
    opening = factories.OpeningFactory(company=world.company_x, **kwargs)
    return factories.MatchFactory(profile=profile, opening=opening, state=state, score=score)


def test_the_student_sees_checked_suggestions_in_words_with_skills(
    client: Client, world: World, django_assert_max_num_queries
) -> None:
    factories.SkillFactory(slug="cnc-draaien", label_nl="CNC-draaien", label_en="CNC turning")
    shown = _match(world, S.APPROVED, score=0.82, title="Stage draaien")
    _match(world, S.SUGGESTED, title="Nog niet bekeken")
    _match(world, S.REJECTED, title="Afgewezen door decaan")
    client.force_login(world.sam)
    # The page itself, plus its interviews, the placement that may pause the
    # student, and the header's unread notifications.
    with django_assert_max_num_queries(10):
        html = client.get(reverse("web:my_suggestions")).content.decode()
    assert "Stage draaien" in html
    assert "past heel goed" in html
    assert "CNC-draaien" in html  # the matched skill, by its Dutch name
    assert "7.3 km" in html or "7,3 km" in html
    assert "Nog niet bekeken" not in html
    assert "Afgewezen door decaan" not in html
    assert reverse("web:my_suggestion_answer", args=[shown.pk, "yes"]) in html


def test_yes_and_accept_move_the_match_on(client: Client, world: World) -> None:
    match = _match(world, S.APPROVED)
    client.force_login(world.sam)
    response = client.post(reverse("web:my_suggestion_answer", args=[match.pk, "yes"]), follow=True)
    assert Match.objects.get(pk=match.pk).state == S.STUDENT_YES
    assert "Opgeslagen" in response.content.decode()
    Match.objects.filter(pk=match.pk).update(state=S.INVITED)
    client.post(reverse("web:my_suggestion_answer", args=[match.pk, "accept"]))
    assert Match.objects.get(pk=match.pk).state == S.ACCEPTED


def test_a_step_the_state_does_not_allow_is_a_message_not_an_error(
    client: Client, world: World
) -> None:
    match = _match(world, S.STUDENT_YES)
    client.force_login(world.sam)
    response = client.post(
        reverse("web:my_suggestion_answer", args=[match.pk, "accept"]), follow=True
    )
    assert response.status_code == 200
    assert "kan niet" in response.content.decode()
    assert Match.objects.get(pk=match.pk).state == S.STUDENT_YES


@pytest.mark.parametrize("outsider", ["lotte", "dirk", "bram", "otto", "zeynep"])
def test_nobody_else_answers_for_the_student(client: Client, world: World, outsider: str) -> None:
    match = _match(world, S.APPROVED, title="Alleen voor Sam")
    client.force_login(getattr(world, outsider))
    url = reverse("web:my_suggestion_answer", args=[match.pk, "yes"])
    assert client.post(url).status_code == 404
    assert Match.objects.get(pk=match.pk).state == S.APPROVED
    page = client.get(reverse("web:my_suggestions"))
    assert "Alleen voor Sam" not in page.content.decode()


def test_an_unknown_answer_is_a_404(client: Client, world: World) -> None:
    match = _match(world, S.APPROVED)
    client.force_login(world.sam)
    assert client.post(f"/student/suggestions/{match.pk}/maybe/").status_code == 404


def test_the_page_says_only_what_the_student_holds(client: Client, world: World) -> None:
    """A related skill reads as related, a lower level once with both levels, and
    neither as a skill the student has."""
    for slug, nl in [
        ("mig-mag-lassen", "MIG/MAG-lassen"),
        ("tig-lassen", "TIG-lassen"),
        ("tekening-lezen", "Technische tekening lezen"),
        ("samenwerken", "Samenwerken"),
        ("plc", "PLC-programmeren"),
        ("frezen", "Frezen"),
    ]:
        factories.SkillFactory(slug=slug, label_nl=nl, label_en=nl)
    match = _match(world, S.APPROVED, title="Stage lassen")
    match.explanation = {
        **match.explanation,
        "matched_skills": [
            {"skill": "samenwerken", "importance": "nice", "required_level": 1, "level": 2},
            {"skill": "frezen", "required_level": 2, "level": None, "from_text": True},
        ],
        "partial_skills": [
            {"skill": "tekening-lezen", "importance": "must", "required_level": 3, "level": 1}
        ],
        "related_skills": [
            {
                "skill": "mig-mag-lassen",
                "importance": "must",
                "required_level": 1,
                "via": "tig-lassen",
            }
        ],
        "missing_must_haves": [{"skill": "plc", "required_level": 1}],
    }
    match.save()
    client.force_login(world.sam)
    html = client.get(reverse("web:my_suggestions")).content.decode()
    assert "Je passende vaardigheden: Samenwerken, Frezen (uit je tekst)</p>" in html
    assert "Technische tekening lezen (niveau 1 van 3)" in html
    assert "je hebt TIG-lassen, gevraagd is MIG/MAG-lassen" in html
    assert "Nog te leren: PLC-programmeren</p>" in html
    assert html.count("Technische tekening lezen") == 1


def test_the_parts_of_the_score_are_bars_with_words(client: Client, world: World) -> None:
    match = _match(world, S.APPROVED, title="Stage frezen")
    client.force_login(world.sam)
    html = client.get(reverse("web:my_suggestions")).content.decode()
    skills = f'id="part-{match.pk}-skills"'
    assert skills in html
    assert f'aria-labelledby="part-{match.pk}-skills">100%</meter> past goed' in html
    assert f'aria-labelledby="part-{match.pk}-text">42%</meter> past deels' in html
