"""factory_boy factories shared by the whole suite."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from accounts.models import (
    EducationLevel,
    Invitation,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    User,
)

PASSWORD = "Sterk-wachtwoord-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.nl")
    full_name = factory.Faker("name", locale="nl_NL")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.SCHOOL
    name = factory.Sequence(lambda n: f"Testcollege {n}")
    slug = factory.Sequence(lambda n: f"testcollege-{n}")
    brin_code = factory.Sequence(
        lambda n: f"{n % 100:02d}{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}"
    )
    education_levels = factory.LazyFunction(lambda: [EducationLevel.MBO_2, EducationLevel.MBO_3])


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.COMPANY
    name = factory.Sequence(lambda n: f"Testbedrijf {n} B.V.")
    slug = factory.Sequence(lambda n: f"testbedrijf-{n}")
    kvk_number = factory.Sequence(lambda n: f"{10000000 + n}")
    sector = "metal"
    size_class = "small"


class LearningLocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.LEARNING_LOCATION
    name = factory.Sequence(lambda n: f"Leerlocatie {n}")
    slug = factory.Sequence(lambda n: f"leerlocatie-test-{n}")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.REGION
    name = factory.Sequence(lambda n: f"Regio {n}")
    slug = factory.Sequence(lambda n: f"regio-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(SchoolFactory)
    role = Role.STUDENT


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    organisation = factory.SubFactory(SchoolFactory)
    role = Role.STUDENT
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.created_at + dt.timedelta(days=30))


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "marketplace.Skill"

    slug = factory.Sequence(lambda n: f"vaardigheid-{n}")
    label_nl = factory.Sequence(lambda n: f"Vaardigheid {n}")
    label_en = factory.Sequence(lambda n: f"Skill {n}")
    category = "metalworking"


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "marketplace.Place"
        django_get_or_create = ["name"]

    name = "Woerden"
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))
    province = "UT"
    latitude = 52.0853
    longitude = 4.8836
    in_region = True


class OpeningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "marketplace.Opening"

    company = factory.SubFactory(CompanyFactory, verified_at=factory.LazyFunction(timezone.now))
    slug = factory.Sequence(lambda n: f"opening-{n}")
    title = factory.Sequence(lambda n: f"Stage CNC-draaier {n}")
    description = "Draaien op een CNC-draaibank bij een familiebedrijf."
    type = "bol"
    education_levels = factory.LazyFunction(lambda: ["mbo2", "mbo3"])
    place = factory.SubFactory(PlaceFactory)
    start_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))
    hours_per_week = 36
    capacity = 2
    status = "open"
    published_at = factory.LazyFunction(timezone.now)


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "marketplace.Profile"

    user = factory.SubFactory(UserFactory)
    headline = "Student mechatronica"
    education_level = "mbo3"
    place = factory.SubFactory(PlaceFactory)
    wanted_types = factory.LazyFunction(lambda: ["bol"])


class MatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "matching.Match"

    profile = factory.SubFactory(ProfileFactory)
    opening = factory.SubFactory(OpeningFactory)
    score = 0.8
    engine_version = "test"
    explanation = factory.LazyFunction(
        lambda: {
            "engine_version": "test",
            "weights_version": "hand-set",
            "score": 0.8,
            "matched_skills": [
                {
                    "skill": "cnc-draaien",
                    "importance": "must",
                    "required_level": 1,
                    "level": 2,
                    "credit": 1.0,
                }
            ],
            "partial_skills": [],
            "related_skills": [],
            "missing_must_haves": [],
            "distance_km": 7.3,
            "radius_km": 25,
            "level": {"profile": "mbo3", "accepted": ["mbo2", "mbo3"], "fit": 1.0},
            # distance feature = 1 - 7.3 / 25: with the weights it gives the distance back
            "features": {"skills": 1.0, "text": 0.42, "distance": 0.708, "level": 1.0},
            "contributions": {"skills": 0.45, "text": 0.063, "distance": 0.1062, "level": 0.1},
        }
    )
    state = "suggested"


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "learning.Course"

    provider = factory.SubFactory(LearningLocationFactory)
    title = factory.Sequence(lambda n: f"Cursus {n}")
    slug = factory.Sequence(lambda n: f"cursus-{n}")
    description = "Een praktijkcursus."
    place = factory.SubFactory(PlaceFactory)
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))
    duration_hours = 16
    audiences = factory.LazyFunction(lambda: ["employee", "career_changer"])
    is_published = True


class GuestOfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "learning.GuestOffer"

    company = factory.SubFactory(CompanyFactory)
    format = "guest_lesson"
    topic = factory.Sequence(lambda n: f"Gastles {n}")
    description = "Een vakman vertelt over het werk in de werkplaats."
    levels = factory.LazyFunction(lambda: [EducationLevel.MBO_2, EducationLevel.MBO_3])
    venues = factory.LazyFunction(lambda: ["school", "company"])
    place = factory.SubFactory(PlaceFactory)
    reach_km = 30


class GuestRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "learning.GuestRequest"

    organisation = factory.SubFactory(SchoolFactory)
    topic = factory.Sequence(lambda n: f"Vraag {n}")
    class_name = "3 MT-A"
    level = EducationLevel.MBO_2
    pupils = 24
    venues = factory.LazyFunction(lambda: ["school"])
    place = factory.SubFactory(PlaceFactory)


def guest_lesson_planned(*, school, counsellor, company, member, days: int = 7):
    """A guest-lesson request of ``school``'s ``counsellor`` for an offer of
    ``company``, accepted by its ``member`` and planned ``days`` from now."""
    from learning import guest_lessons
    from matching.interviews import SlotInput

    if company.verified_at is None:  # schools see verified companies' offers only
        company.verified_at = timezone.now()
        company.save(update_fields=["verified_at"])
    offer = GuestOfferFactory(company=company)
    request = GuestRequestFactory(organisation=school, requested_by=counsellor, place=offer.place)
    guest_lessons.request_send(request=request, offer=offer, by=counsellor)
    soon = timezone.now() + dt.timedelta(days=days)
    guest_lessons.request_accept(
        request=request, by=member, slots=[SlotInput(soon, soon + dt.timedelta(hours=1), "Aula")]
    )
    guest_lessons.request_choose(request=request, slot_id=request.slots.get().pk, by=counsellor)
    request.refresh_from_db()
    return request
