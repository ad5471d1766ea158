"""Skill proposals in the editors: found in the text, shown as tick boxes (by
htmx, or by a plain form post without script), added only when ticked."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from marketplace.models import Opening, OpeningSkill, Profile, Skill
from tests.conftest import World
from tests.web.test_company import _opening_post
from tests.web.test_company import verified as verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def frezen(verified: World) -> Skill:
    from tests import factories

    return factories.SkillFactory(
        slug="cnc-frezen", label_nl="CNC-frezen", label_en="CNC milling", synonyms=["freesbank"]
    )


TEXT = "Je freest op de CNC-freesbank en last soms met TIG."


def test_the_htmx_endpoint_proposes_what_the_text_names(client: Client, verified, frezen):
    client.force_login(verified.bram)
    response = client.post(
        reverse("web:skill_proposals"),
        {"description": TEXT, "skills-0-skill": "Welding"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert f'value="{frezen.pk}"' in html
    assert "CNC-frezen" in html
    assert "freesbank" in html  # which words matched
    assert f'value="{Skill.objects.get(slug="lassen").pk}"' not in html  # already chosen
    assert "<html" not in html  # a fragment for the page


def test_proposals_need_a_login(client: Client, verified):
    response = client.post(reverse("web:skill_proposals"), {"description": TEXT})
    assert response.status_code == 302
    assert "login" in response.url


def test_without_script_the_button_redisplays_the_form_with_proposals(
    client: Client, verified, frezen
):
    client.force_login(verified.bram)
    data = _opening_post(description=TEXT, propose="1")
    response = client.post(reverse("web:opening_new"), data)
    assert response.status_code == 200
    assert not Opening.objects.exists()  # asking is not saving
    html = response.content.decode()
    assert f'name="proposed_skill" value="{frezen.pk}"' in html
    assert TEXT in html  # what was typed stays


def test_only_ticked_proposals_are_added(client: Client, verified, frezen):
    client.force_login(verified.bram)
    data = _opening_post(description=TEXT)
    client.post(reverse("web:opening_new"), data)
    opening = Opening.objects.get()
    assert not OpeningSkill.objects.filter(opening=opening, skill=frezen).exists()
    client.post(
        reverse("web:opening_edit", args=[opening.slug]),
        {**data, "proposed_skill": [str(frezen.pk), "99999999999999999999", "x"]},
    )
    added = OpeningSkill.objects.get(opening=opening, skill=frezen)
    assert (added.importance, added.min_level) == ("nice", 1)
    assert OpeningSkill.objects.filter(opening=opening).count() == 3


def test_a_student_adds_a_proposal_from_about_me(client: Client, world: World, frezen):
    client.force_login(world.sam)
    page = client.get(reverse("web:profile_edit")).content.decode()
    assert reverse("web:skill_proposals") in page
    data = {
        "headline": "Leerling verspaner",
        "about": "Op school heb ik geleerd te frezen op de freesbank.",
        "education_level": "mbo2",
        "travel_radius_km": "20",
        "wanted_types": ["bol"],
        "hours_per_week": "32",
        "skills-TOTAL_FORMS": "1",
        "skills-INITIAL_FORMS": "0",
        "skills-MIN_NUM_FORMS": "0",
        "skills-MAX_NUM_FORMS": "40",
        "skills-0-skill": "",
        "skills-0-level": "1",
    }
    html = client.post(reverse("web:skill_proposals"), data).content.decode()
    assert f'value="{frezen.pk}"' in html
    response = client.post(reverse("web:profile_edit"), {**data, "proposed_skill": frezen.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = Profile.objects.get(user=world.sam)
    assert list(profile.profile_skills.values_list("skill__slug", "level")) == [("cnc-frezen", 1)]


# --- a taxonomy too large to send whole: the list fills as one types -----------


def test_a_large_taxonomy_is_not_sent_whole(client: Client, verified, frezen, monkeypatch):
    from marketplace import selectors

    client.force_login(verified.bram)
    small = client.get(reverse("web:opening_new")).content.decode()
    assert '<option value="CNC-frezen">' in small
    assert reverse("web:skill_options") not in small  # no fetching while typing
    monkeypatch.setattr(selectors, "SKILL_DATALIST_MAX", 2)
    large = client.get(reverse("web:opening_new")).content.decode()
    assert '<option value="CNC-frezen">' not in large
    assert f'hx-get="{reverse("web:skill_options")}"' in large


def test_the_options_endpoint_answers_what_is_typed(client: Client, verified, frezen):
    client.force_login(verified.bram)
    url = reverse("web:skill_options")
    html = client.get(url, {"skills-0-skill": "fre"}).content.decode()
    assert '<option value="CNC-frezen"></option>' in html
    assert "Welding" not in html
    html = client.get(url, {"skills-3-skill": "milling"}).content.decode()
    assert "CNC milling" in html
    assert client.get(url, {"skills-0-skill": "f"}).content.decode().strip() == ""
    client.logout()
    assert client.get(url, {"q": "fre"}).status_code == 302  # login first


@pytest.mark.django_db
def test_names_that_start_with_the_text_come_first(verified):
    from marketplace.selectors import skill_names_matching
    from tests import factories

    factories.SkillFactory(
        slug="x-lassen", label_nl="Aluminium lassen", label_en="Aluminium welding"
    )
    factories.SkillFactory(slug="lasrobot", label_nl="Lasrobot", label_en="Robot welding")
    assert skill_names_matching("las")[:2] == ["Lasrobot", "Lassen"]
    assert "Aluminium lassen" in skill_names_matching("las")
    assert len(skill_names_matching("e", limit=3)) == 0  # one letter is too little
