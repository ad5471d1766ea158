"""Courses, sign-ups and course suggestions against the real engine and store:
suggestions ranked from stored explanations, completion that adds skills and
rematches, and the rules on who may do what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.exceptions import DomainError, InvalidState, NotAllowed
from learning import services
from learning.models import CourseSuggestion, Enrolment, EnrolmentStatus
from marketplace import services as market
from marketplace.models import ProfileSkill, SkillSource
from matching import pipeline
from matching.models import Match
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db


def test_suggestions_rank_by_the_must_haves_closed_from_the_stored_explanation(gap) -> None:
    stored = services.course_suggestions_refresh()
    rows = list(CourseSuggestion.objects.filter(profile=gap["profile"]).order_by("rank"))
    assert stored == len(rows) == 2  # the milling course closes nothing she misses
    assert [r.course_id for r in rows] == [gap["two"].pk, gap["one"].pk]
    assert rows[0].score == pytest.approx(2 / 3, abs=1e-3)
    assert sorted(c["skill"] for c in rows[0].closes) == ["mig-mag-lassen", "plc-programmeren"]
    # "Na deze cursus voldoe je aan 3 van de 4 eisen voor Onderhoudsmonteur."
    assert rows[0].openings == [
        {"opening": gap["opening"].pk, "must_total": 4, "met_before": 1, "met_after": 3}
    ]


def test_a_refresh_for_one_person_replaces_only_theirs(gap, world: World) -> None:
    services.course_suggestions_refresh()
    other = factories.ProfileFactory(user=world.sam)
    CourseSuggestion.objects.create(profile=other, course=gap["one"], rank=1, score=0.5)
    services.course_suggestions_refresh(profile_ids=[gap["profile"].pk])
    assert CourseSuggestion.objects.filter(profile=other).count() == 1
    assert CourseSuggestion.objects.filter(profile=gap["profile"]).count() == 2


def test_a_placed_student_gets_no_course_suggestions(gap, world: World) -> None:
    profile = gap["profile"]
    profile.is_career_changer = False
    profile.save(update_fields=["is_career_changer"])
    factories_placement(profile, gap["opening"], world)
    services.course_suggestions_refresh()
    assert not CourseSuggestion.objects.filter(profile=profile).exists()


def factories_placement(profile, opening, world) -> None:
    from marketplace.models import Placement

    Placement.objects.create(
        profile=profile,
        opening=opening,
        company=opening.company,
        type=opening.type,
        start_date=timezone.localdate(),
        confirmed_by=world.bram,
    )


def test_completion_adds_the_skills_from_a_course_and_the_rematch_raises_the_score(
    gap, world: World, django_capture_on_commit_callbacks
) -> None:
    profile, opening = gap["profile"], gap["opening"]
    before = Match.objects.get(profile=profile, opening=opening)
    enrolment = services.enrolment_request(course=gap["two"], user=world.zeynep)
    assert enrolment.group == "career_changer"
    services.enrolment_decide(enrolment=enrolment, by=world.cas, confirm=True)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        done = services.enrolment_complete(enrolment=enrolment, by=world.cas)
    assert done.status == EnrolmentStatus.COMPLETED
    assert done.completed_at is not None
    assert sorted(s["skill"] for s in done.skills_added) == ["mig-mag-lassen", "plc-programmeren"]
    added = ProfileSkill.objects.filter(profile=profile, source=SkillSource.COURSE)
    assert sorted(added.values_list("skill__slug", "level")) == [
        ("mig-mag-lassen", 2),
        ("plc-programmeren", 2),
    ]
    # The skill she had (milling, level 2) keeps its own source.
    assert ProfileSkill.objects.get(profile=profile, skill__slug="cnc-frezen").source == "own"
    profile.refresh_from_db()
    assert profile.needs_matching_since is not None
    # Once this commits the worker is asked to rematch, and to tell her.
    assert len(callbacks) == 2
    assert pipeline.profile_match(profile_id=profile.pk) == "stored"
    after = Match.objects.get(profile=profile, opening=opening)
    assert after.score > before.score
    missing = {m["skill"] for m in after.explanation["missing_must_haves"]}
    assert missing == {"vca-basis"}


def test_editing_the_profile_keeps_a_course_skill_marked_while_its_level_stays(
    gap, world: World
) -> None:
    enrolment = services.enrolment_request(course=gap["two"], user=world.zeynep)
    services.enrolment_decide(enrolment=enrolment, by=world.cas, confirm=True)
    services.enrolment_complete(enrolment=enrolment, by=world.cas)
    skills = gap["skills"]
    market.profile_update(
        user=world.zeynep,
        by=world.zeynep,
        fields={},
        skills=[
            (skills["cnc-frezen"], 2),
            (skills["mig-mag-lassen"], 2),  # kept as the course left it
            (skills["plc-programmeren"], 3),  # she says she is better now
        ],
    )
    sources = dict(
        ProfileSkill.objects.filter(profile=gap["profile"]).values_list("skill__slug", "source")
    )
    assert sources == {
        "cnc-frezen": "own",
        "mig-mag-lassen": "course",
        "plc-programmeren": "own",
    }


def test_a_higher_level_already_held_stays(gap, world: World) -> None:
    ProfileSkill.objects.create(
        profile=gap["profile"], skill=gap["skills"]["plc-programmeren"], level=3
    )
    enrolment = services.enrolment_request(course=gap["two"], user=world.zeynep)
    services.enrolment_decide(enrolment=enrolment, by=world.cas, confirm=True)
    done = services.enrolment_complete(enrolment=enrolment, by=world.cas)
    assert done.skills_added == [{"skill": "mig-mag-lassen", "level": 2}]
    plc = ProfileSkill.objects.get(profile=gap["profile"], skill__slug="plc-programmeren")
    assert (plc.level, plc.source) == (3, "own")


def test_sign_up_rules(gap, world: World) -> None:
    course = gap["two"]  # for employees and career changers
    with pytest.raises(NotAllowed, match="voor: werknemers, zij-instromers"):
        services.enrolment_request(course=course, user=world.sam)  # a pupil
    with pytest.raises(NotAllowed):
        services.enrolment_request(course=course, user=world.dirk)  # a counsellor
    services.enrolment_request(course=course, user=world.zeynep)
    with pytest.raises(InvalidState, match="al aangemeld"):
        services.enrolment_request(course=course, user=world.zeynep)
    employee = services.enrolment_request(course=course, user=world.bram, motivation=" Graag ")
    assert (employee.group, employee.motivation) == ("employee", "Graag")
    course.is_published = False
    course.save()
    with pytest.raises(InvalidState):
        services.enrolment_request(course=course, user=world.otto)


def test_a_full_course_refuses_sign_ups_and_confirmations(gap, world: World) -> None:
    course = gap["one"]
    course.seats = 1
    course.save()
    first = services.enrolment_request(course=course, user=world.zeynep)
    second = services.enrolment_request(course=course, user=world.bram)
    services.enrolment_decide(enrolment=first, by=world.cas, confirm=True)
    with pytest.raises(InvalidState, match="vol"):
        services.enrolment_decide(enrolment=second, by=world.cas, confirm=True)
    with pytest.raises(InvalidState, match="vol"):
        services.enrolment_request(course=course, user=world.otto)


def test_a_started_course_takes_no_sign_ups(gap, world: World) -> None:
    course = gap["one"]
    course.starts_on = timezone.localdate() - dt.timedelta(days=1)
    course.save()
    with pytest.raises(InvalidState, match="begonnen"):
        services.enrolment_request(course=course, user=world.zeynep)


def test_only_the_providers_coach_decides_and_completes(gap, world: World) -> None:
    enrolment = services.enrolment_request(course=gap["two"], user=world.zeynep)
    for outsider in (world.dirk, world.olga, world.bram, world.zeynep, world.carla):
        with pytest.raises(NotAllowed):
            services.enrolment_decide(enrolment=enrolment, by=outsider, confirm=True)
    with pytest.raises(InvalidState):  # not confirmed yet
        services.enrolment_complete(enrolment=enrolment, by=world.cas)
    with pytest.raises(NotAllowed):
        services.enrolment_withdraw(enrolment=enrolment, by=world.cas)
    services.enrolment_withdraw(enrolment=enrolment, by=world.zeynep)
    assert Enrolment.objects.get(pk=enrolment.pk).status == EnrolmentStatus.WITHDRAWN
    # Withdrawn: she may sign up again.
    services.enrolment_request(course=gap["two"], user=world.zeynep)


def test_course_writes_check_the_provider_and_the_dates(gap, world: World) -> None:
    fields = {
        "title": "Hydrauliek",
        "description": "Leerbord.",
        "place": gap["opening"].place,
        "duration_hours": 8,
        "audiences": ["employee"],
        "starts_on": timezone.localdate() + dt.timedelta(days=9),
    }
    skill = [(gap["skills"]["plc-programmeren"], 2)]
    with pytest.raises(NotAllowed):
        services.course_create(provider=world.location, by=world.dirk, fields=fields, skills=skill)
    with pytest.raises(DomainError) as undated:
        services.course_create(
            provider=world.location,
            by=world.cas,
            fields={**fields, "starts_on": None},
            skills=skill,
        )
    assert undated.value.field == "starts_on"
    with pytest.raises(DomainError) as no_skill:
        services.course_create(provider=world.location, by=world.cas, fields=fields, skills=[])
    assert no_skill.value.field == "skills"
    with pytest.raises(DomainError) as reversed_dates:
        services.course_create(
            provider=world.location,
            by=world.cas,
            fields={**fields, "ends_on": fields["starts_on"] - dt.timedelta(days=1)},
            skills=skill,
        )
    assert reversed_dates.value.field == "ends_on"
    course = services.course_create(
        provider=world.location, by=world.cas, fields=fields, skills=skill
    )
    assert (course.is_published, course.slug) == (False, "hydrauliek")
    # A school's counsellor keeps their school's courses.
    mine = services.course_create(
        provider=world.school_a, by=world.dirk, fields=fields, skills=skill
    )
    assert mine.slug == "hydrauliek-2"


def test_each_sign_up_step_reaches_the_right_notification_list(gap, world: World) -> None:
    from notifications import inbox
    from notifications.models import Notification

    other_coach = factories.UserFactory()
    factories.MembershipFactory(user=other_coach, role="counsellor", organisation=world.location)
    enrolment = services.enrolment_request(course=gap["two"], user=world.zeynep)
    assert inbox.for_enrolment(enrolment_id=enrolment.pk, event="requested") == 2
    told = Notification.objects.filter(kind="course_sign_up")
    assert set(told.values_list("user", flat=True)) == {world.cas.pk, other_coach.pk}
    assert inbox.notification_text(told.first()) == (
        f"{world.zeynep.full_name} heeft zich aangemeld voor Lassen en PLC"
    )
    # A step that no longer holds tells nobody (the sign-up is still requested).
    assert inbox.for_enrolment(enrolment_id=enrolment.pk, event="confirmed") == 0
    services.enrolment_decide(enrolment=enrolment, by=world.cas, confirm=True)
    assert inbox.for_enrolment(enrolment_id=enrolment.pk, event="confirmed") == 1
    services.enrolment_complete(enrolment=enrolment, by=world.cas)
    assert inbox.for_enrolment(enrolment_id=enrolment.pk, event="completed") == 1
    mine = Notification.objects.filter(user=world.zeynep).order_by("pk")
    assert [n.kind for n in mine] == ["course_confirmed", "course_completed"]
    assert inbox.notification_text(mine.last()) == (
        "Je hebt Lassen en PLC afgerond: de vaardigheden staan op je profiel"
    )
    assert not Notification.objects.filter(user__in=[world.dirk, world.olga]).exists()


def test_a_changed_opening_moves_the_courses_of_the_people_it_is_suggested_to(
    gap, world: World
) -> None:
    """The worker's opening task refreshes the courses of the opening's people: a
    must-have the company drops is no gap any more, so its course goes."""
    from marketplace.models import OpeningSkill
    from worker.tasks import match_opening

    profile = gap["profile"]
    services.course_suggestions_refresh(profile_ids=iter([profile.pk]))  # any iterable
    titles = set(
        CourseSuggestion.objects.filter(profile=profile).values_list("course__title", flat=True)
    )
    assert titles == {"Lassen en PLC", "VCA"}
    OpeningSkill.objects.filter(opening=gap["opening"], skill=gap["skills"]["vca-basis"]).delete()
    match_opening(gap["opening"].pk)  # what the worker runs after the edit commits
    titles = set(
        CourseSuggestion.objects.filter(profile=profile).values_list("course__title", flat=True)
    )
    assert titles == {"Lassen en PLC"}
