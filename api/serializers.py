"""Serializers: shapes of the API's bodies. They validate and present; every
write goes through a service, never ``serializer.save()`` on a model."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import (
    ApiToken,
    EducationLevel,
    ImportJob,
    Membership,
    Organisation,
    OrganisationKind,
    Sector,
    SizeClass,
    User,
)
from learning.models import (
    GUEST_PUPILS_MAX,
    GUEST_REACH_MAX_KM,
    Audience,
    EnrolmentStatus,
    GuestFormat,
    GuestFrequency,
    GuestRequestStatus,
    GuestVenue,
)
from marketplace.models import (
    SKILL_LEVEL_MAX,
    SKILL_LEVEL_MIN,
    Importance,
    Occupation,
    Opening,
    OpeningType,
    Place,
    Placement,
    Profile,
    Skill,
)
from matching.models import Interview, Match, MatchRun, MatchState
from notifications.models import NotificationKind, WebhookEvent


class UtcDateTimeField(serializers.DateTimeField):
    """Every timestamp in UTC (``…Z``), whatever the site's time zone."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default_timezone", dt.UTC)
        super().__init__(*args, **kwargs)


class ModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: UtcDateTimeField,
    }


class UniqueListField(serializers.ListField):
    """A list whose items may each appear once: ``[hbo, hbo]`` is a 400."""

    def to_internal_value(self, data: Any) -> list:
        value = super().to_internal_value(data)
        if len(set(value)) != len(value):
            raise serializers.ValidationError(_("Each value may appear once."))
        return value


class MembershipSerializer(ModelSerializer):
    organisation = serializers.CharField(source="organisation.name", default=None, allow_null=True)
    organisation_slug = serializers.CharField(
        source="organisation.slug", default=None, allow_null=True
    )
    organisation_kind = serializers.ChoiceField(
        choices=OrganisationKind.choices,
        source="organisation.kind",
        default=None,
        allow_null=True,
        read_only=True,
    )

    class Meta:
        model = Membership
        fields = ["role", "organisation", "organisation_slug", "organisation_kind"]


class MeSerializer(ModelSerializer):
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "language", "memberships"]


class MatchRunSerializer(ModelSerializer):
    progress_percent = serializers.SerializerMethodField()

    class Meta:
        model = MatchRun
        fields = [
            "id",
            "status",
            "engine_version",
            "chunks_total",
            "chunks_done",
            "progress_percent",
            "profiles",
            "openings",
            "stored",
            "retired",
            "error",
            "started_at",
            "progressed_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_progress_percent(self, run: MatchRun) -> float:
        return round(100 * run.progress, 1)


class SkillSerializer(ModelSerializer):
    esco_uri = serializers.CharField(read_only=True, help_text=_("An ESCO concept URI, or empty."))
    synonyms = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Skill
        fields = ["slug", "label_nl", "label_en", "category", "synonyms", "esco_uri"]
        read_only_fields = fields


class PlaceSerializer(ModelSerializer):
    class Meta:
        model = Place
        fields = ["slug", "name", "province", "latitude", "longitude", "in_region"]
        read_only_fields = fields


class OrganisationRefSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class PlaceRefSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class CompanySerializer(ModelSerializer):
    verified = serializers.BooleanField(source="is_verified", read_only=True)
    website = serializers.CharField(read_only=True, help_text=_("A URL, or empty."))

    class Meta:
        model = Organisation
        fields = [
            "slug",
            "name",
            "description",
            "website",
            "municipality",
            "sector",
            "size_class",
            "sbb_recognised",
            "verified",
        ]
        read_only_fields = fields


class CompanyUpdateSerializer(serializers.Serializer):
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    website = serializers.URLField(required=False, allow_blank=True, max_length=200)
    municipality = serializers.CharField(required=False, allow_blank=True, max_length=100)
    sector = serializers.ChoiceField(choices=Sector.choices, required=False)
    size_class = serializers.ChoiceField(choices=SizeClass.choices, required=False)


class SlugField(serializers.SlugRelatedField):
    """A related object by slug; text PostgreSQL cannot hold is refused as input,
    not looked up (a NUL byte would raise a DataError: a 500)."""

    def to_internal_value(self, data: object) -> object:
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)


def _skills_checked(value: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each item names a skill (also in a partial update, where DRF would not
    insist), and no skill twice."""
    missing = {
        i: {"skill": [_("This field is required.")]}
        for i, v in enumerate(value)
        if "skill" not in v
    }
    if missing:
        raise serializers.ValidationError(missing)
    slugs = [item["skill"].slug for item in value]
    if len(set(slugs)) != len(slugs):
        raise serializers.ValidationError(_("Each skill may appear once."))
    return value


class OpeningSkillSerializer(serializers.Serializer):
    skill = SlugField(slug_field="slug", queryset=Skill.objects.all())
    importance = serializers.ChoiceField(choices=Importance.choices, default=Importance.MUST)
    min_level = serializers.IntegerField(
        min_value=SKILL_LEVEL_MIN, max_value=SKILL_LEVEL_MAX, default=SKILL_LEVEL_MIN
    )


class OpeningSkillReadSerializer(serializers.Serializer):
    skill = serializers.CharField(source="skill.slug", read_only=True)
    label_nl = serializers.CharField(source="skill.label_nl", read_only=True)
    label_en = serializers.CharField(source="skill.label_en", read_only=True)
    importance = serializers.ChoiceField(choices=Importance.choices, read_only=True)
    min_level = serializers.IntegerField(read_only=True)


class OpeningSerializer(ModelSerializer):
    company = OrganisationRefSerializer(read_only=True)
    place = PlaceRefSerializer(read_only=True)
    places_left = serializers.IntegerField(read_only=True)
    occupation = serializers.ChoiceField(
        choices=Occupation.choices, allow_blank=True, read_only=True
    )
    skills = OpeningSkillReadSerializer(source="opening_skills", many=True, read_only=True)
    education_levels = serializers.ListField(
        child=serializers.ChoiceField(choices=EducationLevel.choices), read_only=True
    )

    class Meta:
        model = Opening
        fields = [
            "slug",
            "title",
            "description",
            "type",
            "occupation",
            "education_levels",
            "company",
            "place",
            "start_date",
            "end_date",
            "hours_per_week",
            "capacity",
            "places_left",
            "status",
            "published_at",
            "expires_at",
            "skills",
        ]
        read_only_fields = fields


class OpeningWriteSerializer(serializers.Serializer):
    """Create (all required unless marked) or update (any subset) an opening."""

    company = SlugField(
        slug_field="slug",
        queryset=Organisation.objects.filter(kind="company"),
        required=False,
        help_text=_("Needed only if you are a member of more than one company."),
    )
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20000)
    type = serializers.ChoiceField(choices=OpeningType.choices)
    occupation = serializers.ChoiceField(
        choices=Occupation.choices,
        required=False,
        allow_blank=True,
        help_text=_("ISCO-08 unit group code, e.g. 7223 (machine tool setter and operator)."),
    )
    education_levels = UniqueListField(
        child=serializers.ChoiceField(choices=EducationLevel.choices), required=False
    )
    place = SlugField(slug_field="slug", queryset=Place.objects.all())
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    hours_per_week = serializers.IntegerField(min_value=1, max_value=60)
    capacity = serializers.IntegerField(min_value=1, max_value=100, required=False)
    skills = OpeningSkillSerializer(many=True, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the viewer's own companies can be named: a slug of someone else's
        # (verified or not) is "does not exist", the same as an unknown one.
        request = self.context.get("request")
        if request is not None:
            self.fields["company"].queryset = Organisation.objects.filter(
                kind="company",
                memberships__user=request.user,
                memberships__role="company_member",
            )

    def validate_skills(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return _skills_checked(value)


class ProfileSkillSerializer(serializers.Serializer):
    skill = SlugField(slug_field="slug", queryset=Skill.objects.all())
    level = serializers.IntegerField(
        min_value=SKILL_LEVEL_MIN, max_value=SKILL_LEVEL_MAX, default=SKILL_LEVEL_MIN
    )


class ProfileSkillReadSerializer(serializers.Serializer):
    skill = serializers.CharField(source="skill.slug", read_only=True)
    label_nl = serializers.CharField(source="skill.label_nl", read_only=True)
    label_en = serializers.CharField(source="skill.label_en", read_only=True)
    level = serializers.IntegerField(read_only=True)


class ProfileSerializer(ModelSerializer):
    """A student's profile, for the student and their counsellors."""

    full_name = serializers.CharField(source="user.full_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    place = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    education_level = serializers.CharField(
        read_only=True, help_text=_("An education level, or empty if not given.")
    )
    skills = ProfileSkillReadSerializer(source="profile_skills", many=True, read_only=True)
    wanted_types = serializers.ListField(
        child=serializers.ChoiceField(choices=OpeningType.choices), read_only=True
    )
    sectors = serializers.ListField(
        child=serializers.ChoiceField(choices=Sector.choices), read_only=True
    )

    class Meta:
        model = Profile
        fields = [
            "id",
            "full_name",
            "email",
            "headline",
            "about",
            "education_level",
            "programme",
            "crebo_code",
            "place",
            "travel_radius_km",
            "wanted_types",
            "available_from",
            "available_until",
            "hours_per_week",
            "sectors",
            "experience",
            "is_career_changer",
            "is_visible",
            "skills",
            "updated_at",
        ]
        read_only_fields = fields


class ProfileWriteSerializer(serializers.Serializer):
    headline = serializers.CharField(max_length=200, required=False, allow_blank=True)
    about = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    education_level = serializers.ChoiceField(
        choices=EducationLevel.choices, required=False, allow_blank=True
    )
    programme = serializers.CharField(max_length=200, required=False, allow_blank=True)
    crebo_code = serializers.RegexField(r"^[0-9]{5}$", required=False, allow_blank=True)
    place = SlugField(
        slug_field="slug", queryset=Place.objects.all(), required=False, allow_null=True
    )
    travel_radius_km = serializers.IntegerField(min_value=0, max_value=250, required=False)
    wanted_types = UniqueListField(
        child=serializers.ChoiceField(choices=OpeningType.choices), required=False
    )
    available_from = serializers.DateField(required=False, allow_null=True)
    available_until = serializers.DateField(required=False, allow_null=True)
    hours_per_week = serializers.IntegerField(min_value=0, max_value=60, required=False)
    sectors = UniqueListField(child=serializers.ChoiceField(choices=Sector.choices), required=False)
    experience = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    is_visible = serializers.BooleanField(required=False)
    skills = ProfileSkillSerializer(many=True, required=False)

    def validate_skills(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return _skills_checked(value)


class OpeningRefSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    type = serializers.ChoiceField(choices=OpeningType.choices, read_only=True)
    company = OrganisationRefSerializer(read_only=True)
    place = PlaceRefSerializer(read_only=True)


class StudentRefSerializer(serializers.Serializer):
    profile = serializers.IntegerField(
        read_only=True, help_text=_("The student's profile: /profiles/{id}/.")
    )
    full_name = serializers.CharField(read_only=True)


UTC = UtcDateTimeField()


# The shapes below only describe what the API answers (for the schema and
# generated clients); their fields are not read-only, so that ``required=False``
# marks what an answer may leave out.
class SkillReasonSerializer(serializers.Serializer):
    """One skill in an explanation: held, held below the level asked, held
    through a related skill, or a missing must-have."""

    skill = serializers.CharField(help_text=_("The skill's slug."))
    importance = serializers.ChoiceField(choices=Importance.choices, required=False)
    required_level = serializers.IntegerField()
    level = serializers.IntegerField(required=False, allow_null=True)
    credit = serializers.FloatField(required=False)
    from_text = serializers.BooleanField(required=False)
    asked_in_text = serializers.BooleanField(required=False)
    via = serializers.CharField(required=False)
    via_level = serializers.IntegerField(required=False)
    same_field = serializers.BooleanField(required=False)


class LevelFitSerializer(serializers.Serializer):
    profile = serializers.ChoiceField(choices=EducationLevel.choices, allow_null=True)
    accepted = serializers.ListField(child=serializers.ChoiceField(choices=EducationLevel.choices))
    fit = serializers.FloatField()


class FeaturesSerializer(serializers.Serializer):
    """One value per part of the score (an older engine stored fewer parts)."""

    skills = serializers.FloatField(required=False)
    text = serializers.FloatField(required=False)
    level = serializers.FloatField(required=False)
    distance = serializers.FloatField(required=False)
    availability = serializers.FloatField(required=False)
    sector = serializers.FloatField(required=False)


class ExplanationSerializer(serializers.Serializer):
    """Why a suggestion was made, as stored by the engine (docs/algorithm.md)."""

    engine_version = serializers.CharField()
    weights_version = serializers.CharField(required=False)
    score = serializers.FloatField()
    matched_skills = SkillReasonSerializer(many=True)
    partial_skills = SkillReasonSerializer(many=True)
    related_skills = SkillReasonSerializer(many=True, required=False)
    missing_must_haves = SkillReasonSerializer(many=True)
    distance_km = serializers.FloatField(allow_null=True, required=False)
    radius_km = serializers.IntegerField(allow_null=True, required=False)
    level = LevelFitSerializer(required=False)
    features = FeaturesSerializer(required=False)
    contributions = FeaturesSerializer(required=False)
    skills_confidence = serializers.FloatField(required=False)


class CompanyExplanationSerializer(serializers.Serializer):
    """The reasons a company may read: no per-feature numbers, a distance band."""

    matched_skills = SkillReasonSerializer(many=True)
    partial_skills = SkillReasonSerializer(many=True)
    related_skills = SkillReasonSerializer(many=True)
    missing_must_haves = SkillReasonSerializer(many=True)
    level = LevelFitSerializer()
    distance_band = serializers.CharField(allow_null=True)


class CandidateSkillSerializer(serializers.Serializer):
    skill = serializers.CharField()
    label = serializers.CharField()
    level = serializers.IntegerField()


class AvailabilitySerializer(serializers.Serializer):
    # "from" is a keyword: the field is named in ``fields`` below.
    until = serializers.DateField(allow_null=True)
    hours_per_week = serializers.IntegerField(allow_null=True)

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            "from": serializers.DateField(allow_null=True),
            **super().get_fields(),
        }


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.EmailField()


class CandidateSerializer(serializers.Serializer):
    """A candidate as the company sees them: anonymised (``contact`` null) until
    the student accepts an invitation."""

    match = serializers.IntegerField(help_text=_("The suggestion's id."))
    pseudonym = serializers.CharField()
    state = serializers.ChoiceField(choices=MatchState.choices)
    opening = serializers.CharField(help_text=_("The opening's slug."))
    score = serializers.FloatField()
    education_level = serializers.ChoiceField(choices=EducationLevel.choices, allow_null=True)
    skills = CandidateSkillSerializer(many=True)
    availability = AvailabilitySerializer()
    distance_band = serializers.CharField(allow_null=True)
    explanation = CompanyExplanationSerializer()
    contact = ContactSerializer(allow_null=True)


def slots_present(slots: Any) -> list[dict[str, Any]]:
    """Proposed times (an interview's or a guest lesson's) as the API shows them."""
    return [
        {
            "id": slot.pk,
            "starts_at": UTC.to_representation(slot.starts_at),
            "ends_at": UTC.to_representation(slot.ends_at),
            "location": slot.location,
            "chosen": slot.chosen_at is not None,
        }
        for slot in slots
    ]


class InterviewSlotSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    starts_at = UtcDateTimeField(read_only=True)
    ends_at = UtcDateTimeField(read_only=True)
    location = serializers.CharField(read_only=True, help_text=_("A place or a video link."))
    chosen = serializers.BooleanField(read_only=True)


class InterviewSerializer(serializers.Serializer):
    """The company's invitation message and the interview times still on offer
    (or the chosen one), for the student and the company only."""

    message = serializers.CharField(read_only=True)
    slots = InterviewSlotSerializer(many=True, read_only=True)
    other_time_asked = serializers.BooleanField(read_only=True)
    other_time_note = serializers.CharField(read_only=True)

    def to_representation(self, interview: Interview) -> dict[str, Any]:
        slots = [slot for slot in interview.slots.all() if slot.cancelled_at is None]
        return {
            "message": interview.message,
            "slots": slots_present(slots),
            "other_time_asked": interview.other_time_asked_at is not None,
            "other_time_note": interview.other_time_note,
        }


class SuggestionSerializer(serializers.Serializer):
    """One suggestion as the viewer may see it.

    ``as`` says whose view it is: the student's own (``student``), their reviewer's
    (``reviewer``, with the student's name), or the company's (``company``: no
    student, only the anonymised ``candidate`` until the student accepts).
    """

    id = serializers.IntegerField(read_only=True)
    state = serializers.ChoiceField(choices=MatchState.choices, read_only=True)
    score = serializers.FloatField(read_only=True)
    opening = OpeningRefSerializer(read_only=True)
    student = StudentRefSerializer(read_only=True, allow_null=True)
    explanation = ExplanationSerializer(read_only=True, allow_null=True)
    candidate = CandidateSerializer(read_only=True, allow_null=True)
    blocked_reason = serializers.CharField(read_only=True, allow_null=True)
    view = serializers.ChoiceField(
        choices=["student", "reviewer", "company"], read_only=True, source="as"
    )
    state_changed_at = UtcDateTimeField(read_only=True, allow_null=True)
    interview = InterviewSerializer(read_only=True, allow_null=True)

    # Built as plain dicts (the fields above describe them for the schema): a page
    # of 20 costs no nested serializer per row.
    def to_representation(self, match: Match) -> dict[str, Any]:
        relation = self.context["relations"][match.pk]
        changed = match.state_changed_at
        data: dict[str, Any] = {
            "id": match.pk,
            "state": match.state,
            "opening": opening_ref(match.opening),
            "view": relation,
            "state_changed_at": None if changed is None else UTC.to_representation(changed),
            "student": None,
            "candidate": None,
            "explanation": None,
            "blocked_reason": None,
            "interview": None,
        }
        interview = self.context.get("interviews", {}).get(match.pk)
        if interview is not None and relation in ("student", "company"):
            data["interview"] = INTERVIEW.to_representation(interview)
        if relation == "company":
            candidate = self.context["candidates"][match.pk]
            data.update(score=candidate["score"], candidate=candidate)
        else:
            data.update(score=round(match.score, 4), explanation=match.explanation)
            if relation == "reviewer":
                user = match.profile.user
                data["student"] = {"profile": match.profile_id, "full_name": user.full_name}
                data["blocked_reason"] = self.context["blocked"].get(match.pk)
        return data


INTERVIEW = InterviewSerializer()


def opening_ref(opening: Opening) -> dict[str, Any]:
    """``OpeningRefSerializer``'s shape, without a serializer per row."""
    company, place = opening.company, opening.place
    return {
        "slug": opening.slug,
        "title": opening.title,
        "type": opening.type,
        "company": {"slug": company.slug, "name": company.name},
        "place": None if place is None else {"slug": place.slug, "name": place.name},
    }


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class SlotInputSerializer(serializers.Serializer):
    starts_at = UtcDateTimeField()
    ends_at = UtcDateTimeField()
    location = serializers.CharField(
        max_length=300, help_text=_("Where the interview takes place, or a video link.")
    )


class InviteSerializer(serializers.Serializer):
    """An invitation: a message to the candidate and up to three interview times."""

    message = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Deprecated: the message under its old name. Give one of the two."),
    )
    slots = SlotInputSerializer(many=True, required=False, default=list, max_length=3)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if data["message"] and data["reason"] and data["message"] != data["reason"]:
            raise serializers.ValidationError({"reason": [_("Give the message once, as message.")]})
        data["message"] = data["message"] or data.pop("reason")
        data.pop("reason", None)
        return data


class ProposeTimesSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    slots = SlotInputSerializer(many=True, min_length=1, max_length=3)


class ChooseTimeSerializer(serializers.Serializer):
    slot = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text=_("The id of a proposed time.")
    )


class OtherTimeSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class NotificationSerializer(serializers.Serializer):
    """One line of the person's notification list, said in the request's language."""

    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=NotificationKind.choices, read_only=True)
    text = serializers.CharField(read_only=True)
    url = serializers.CharField(read_only=True, help_text=_("The page it is about."))
    read = serializers.BooleanField(read_only=True)
    created_at = UtcDateTimeField(read_only=True)


class NotificationsReadSerializer(serializers.Serializer):
    read = serializers.IntegerField(read_only=True, help_text=_("How many were marked read."))


class RequiredReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class PlaceRequestSerializer(serializers.Serializer):
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False, allow_null=True)


class PlacementSerializer(ModelSerializer):
    opening = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    company = OrganisationRefSerializer(read_only=True)
    student = serializers.SerializerMethodField()
    education_level = serializers.CharField(
        read_only=True, help_text=_("An education level, or empty if not given.")
    )

    class Meta:
        model = Placement
        fields = [
            "id",
            "opening",
            "company",
            "student",
            "type",
            "education_level",
            "start_date",
            "end_date",
            "status",
            "confirmed_at",
            "cancelled_at",
            "cancel_reason",
        ]
        read_only_fields = fields

    @extend_schema_field(StudentRefSerializer(allow_null=True))
    def get_student(self, placement: Placement) -> dict[str, Any] | None:
        # Every party to a placement knows who it is: the student accepted.
        if placement.profile_id is None:
            return None
        return {"profile": placement.profile_id, "full_name": placement.profile.user.full_name}


class ApiTokenSerializer(ModelSerializer):
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "revoked_at", "active"]
        read_only_fields = ["id", "prefix", "created_at", "last_used_at", "revoked_at", "active"]


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    key = serializers.CharField(
        read_only=True, help_text=_("Shown this once; store it safely. Send it as Bearer.")
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]


class KpiQuerySerializer(serializers.Serializer):
    period = serializers.RegexField(
        r"^[0-9]{4}(-Q[1-4])?$",
        required=False,
        help_text=_("A year (2026) or a quarter (2026-Q3); the current quarter if left out."),
    )
    breakdown = serializers.ChoiceField(
        choices=["total", "municipality", "sector", "type", "education_level", "learning_location"],
        required=False,
    )


class KpiBaselineSerializer(serializers.Serializer):
    period = serializers.CharField()
    taken_at = UtcDateTimeField()


class KpiSerializer(serializers.Serializer):
    period = serializers.CharField()
    breakdown = serializers.CharField()
    rows = serializers.ListField(
        child=serializers.DictField(),
        help_text=_(
            "One row per group (the first is the whole region): group, label, and each "
            'figure; small numbers as "<5" or "n<5".'
        ),
    )
    baseline = KpiBaselineSerializer(allow_null=True)
    changes = serializers.DictField(child=serializers.DictField())
    trend = serializers.ListField(child=serializers.DictField())


class SkillsGapQuerySerializer(serializers.Serializer):
    period = serializers.RegexField(r"^[0-9]{4}(-Q[1-4])?$", required=False)
    municipality = serializers.CharField(required=False, max_length=100)
    education_level = serializers.ChoiceField(choices=EducationLevel.choices, required=False)


class SkillsGapSerializer(serializers.Serializer):
    period = serializers.CharField()
    rows = serializers.ListField(child=serializers.DictField())


class AccountDeleteSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=200, write_only=True, trim_whitespace=False)


class ImportLineErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(
        help_text="The file's line (1 is the header); 0: the whole file."
    )
    column = serializers.CharField(help_text="The column as the file's header names it.")
    message = serializers.CharField()


class ImportJobSerializer(ModelSerializer):
    errors = ImportLineErrorSerializer(many=True, read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "status",
            "organisation",
            "filename",
            "rows_total",
            "rows_done",
            "created_count",
            "skipped_count",
            "emails_sent",
            "emails_refused",
            "errors",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The CSV file (UTF-8; ; or , separated).")
    organisation = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=10**18 - 1,
        help_text=(
            "The school (class lists) or company (openings). A coordinator leaves it out to "
            "import openings for any company, named per row by KvK number."
        ),
    )


class PersonalDataSerializer(serializers.Serializer):
    """A copy of everything MaakMatch holds about the person (AVG art. 15)."""

    format = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)
    exported_at = UtcDateTimeField(read_only=True)
    account = serializers.DictField(read_only=True)
    memberships = serializers.ListField(child=serializers.DictField(), read_only=True)
    invitations = serializers.ListField(child=serializers.DictField(), read_only=True)
    profile = serializers.DictField(read_only=True, allow_null=True)
    suggestions = serializers.ListField(child=serializers.DictField(), read_only=True)
    placements = serializers.ListField(child=serializers.DictField(), read_only=True)
    audit_log = serializers.ListField(child=serializers.DictField(), read_only=True)
    api_tokens = serializers.ListField(child=serializers.DictField(), read_only=True)


class QueuedSerializer(serializers.Serializer):
    detail = serializers.ChoiceField(choices=["queued"], read_only=True)


class WebhookSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    organisation = serializers.SlugField(
        help_text=_("The slug of an organisation you are an admin of.")
    )
    url = serializers.URLField(max_length=500)
    events = UniqueListField(child=serializers.ChoiceField(choices=WebhookEvent.choices))
    created_at = UtcDateTimeField(read_only=True)


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(
        read_only=True, help_text=_("Signs every delivery; shown this once.")
    )


class WebhookDeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    event = serializers.ChoiceField(choices=WebhookEvent.choices, read_only=True)
    payload = serializers.DictField(read_only=True)
    status = serializers.ChoiceField(choices=["pending", "delivered", "failed"], read_only=True)
    attempts = serializers.IntegerField(read_only=True)
    created_at = UtcDateTimeField(read_only=True)
    last_attempt_at = UtcDateTimeField(read_only=True, allow_null=True)
    next_attempt_at = UtcDateTimeField(read_only=True, allow_null=True)
    last_status = serializers.IntegerField(read_only=True, allow_null=True)
    last_response = serializers.CharField(read_only=True)


class CourseSkillReadSerializer(serializers.Serializer):
    skill = serializers.CharField(source="skill.slug", read_only=True)
    label_nl = serializers.CharField(source="skill.label_nl", read_only=True)
    label_en = serializers.CharField(source="skill.label_en", read_only=True)
    level = serializers.IntegerField(
        read_only=True, help_text=_("The level a participant reaches.")
    )


class CourseSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    provider = OrganisationRefSerializer(read_only=True)
    place = PlaceRefSerializer(read_only=True)
    venue = serializers.CharField(read_only=True)
    on_request = serializers.BooleanField(read_only=True)
    starts_on = serializers.DateField(read_only=True, allow_null=True)
    ends_on = serializers.DateField(read_only=True, allow_null=True)
    duration_hours = serializers.IntegerField(read_only=True)
    cost_eur = serializers.DecimalField(max_digits=8, decimal_places=2, read_only=True)
    seats = serializers.IntegerField(read_only=True, allow_null=True)
    audiences = serializers.ListField(
        child=serializers.ChoiceField(choices=Audience.choices), read_only=True
    )
    funding_note = serializers.CharField(read_only=True)
    published = serializers.BooleanField(source="is_published", read_only=True)
    skills = CourseSkillReadSerializer(source="course_skills", many=True, read_only=True)


class CourseRefSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    provider = OrganisationRefSerializer(read_only=True)


class SkillLevelSerializer(serializers.Serializer):
    skill = serializers.CharField(read_only=True)
    level = serializers.IntegerField(read_only=True)


class OpeningHelpedSerializer(serializers.Serializer):
    opening = serializers.CharField(read_only=True, help_text=_("The opening's slug."))
    title = serializers.CharField(read_only=True)
    must_total = serializers.IntegerField(read_only=True)
    met_before = serializers.IntegerField(read_only=True)
    met_after = serializers.IntegerField(read_only=True)


class CourseSuggestionSerializer(serializers.Serializer):
    course = CourseRefSerializer(read_only=True)
    rank = serializers.IntegerField(read_only=True)
    score = serializers.FloatField(
        read_only=True, help_text=_("The share of your score-weighted skill gap it closes.")
    )
    closes = SkillLevelSerializer(many=True, read_only=True)
    openings = OpeningHelpedSerializer(many=True, read_only=True)


class EnrolmentPersonSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    email = serializers.EmailField(read_only=True)


class EnrolmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    course = CourseRefSerializer(read_only=True)
    person = EnrolmentPersonSerializer(
        read_only=True,
        help_text=_("Who signed up: shared with the course's provider by signing up."),
    )
    group = serializers.ChoiceField(choices=Audience.choices, read_only=True)
    status = serializers.ChoiceField(choices=EnrolmentStatus.choices, read_only=True)
    requested_at = serializers.DateTimeField(read_only=True)
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    skills_added = SkillLevelSerializer(many=True, read_only=True)


class EnrolmentRequestSerializer(serializers.Serializer):
    motivation = serializers.CharField(max_length=2000, required=False, allow_blank=True)


# -- guest lessons --------------------------------------------------------------------


class GuestOfferSerializer(serializers.Serializer):
    """A company's guest lesson or company visit; create or change (any subset)."""

    id = serializers.IntegerField(read_only=True)
    company = OrganisationRefSerializer(read_only=True)
    format = serializers.ChoiceField(choices=GuestFormat.choices)
    topic = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000)
    skills = UniqueListField(
        child=SlugField(slug_field="slug", queryset=Skill.objects.all()),
        required=False,
        max_length=30,
        help_text=_("The skills it shows, by slug."),
    )
    levels = UniqueListField(
        child=serializers.ChoiceField(choices=EducationLevel.choices), min_length=1
    )
    venues = UniqueListField(
        child=serializers.ChoiceField(choices=GuestVenue.choices), min_length=1
    )
    frequency = serializers.ChoiceField(choices=GuestFrequency.choices)
    place = SlugField(slug_field="slug", queryset=Place.objects.all())
    reach_km = serializers.IntegerField(
        min_value=1,
        max_value=GUEST_REACH_MAX_KM,
        default=25,
        help_text=_("How far from the company's place a school may be."),
    )
    pupils_max = serializers.IntegerField(
        min_value=1, max_value=GUEST_PUPILS_MAX, required=False, allow_null=True
    )
    active = serializers.BooleanField(source="is_active", required=False)

    def to_representation(self, offer: Any) -> dict[str, Any]:
        return {
            "id": offer.pk,
            "company": {"slug": offer.company.slug, "name": offer.company.name},
            "format": offer.format,
            "topic": offer.topic,
            "description": offer.description,
            "skills": [skill.slug for skill in offer.skills.all()],
            "levels": offer.levels,
            "venues": offer.venues,
            "frequency": offer.frequency,
            "place": offer.place.slug,
            "reach_km": offer.reach_km,
            "pupils_max": offer.pupils_max,
            "active": offer.is_active,
        }


class GuestSlotSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    starts_at = UtcDateTimeField(read_only=True)
    ends_at = UtcDateTimeField(read_only=True)
    location = serializers.CharField(read_only=True)
    chosen = serializers.BooleanField(read_only=True)


class GuestRequestSerializer(serializers.Serializer):
    """A request for one class; create or change (any subset) until it is sent."""

    id = serializers.IntegerField(read_only=True)
    organisation = OrganisationRefSerializer(read_only=True)
    format = serializers.ChoiceField(choices=GuestFormat.choices)
    topic = serializers.CharField(max_length=200)
    class_name = serializers.CharField(max_length=100)
    level = serializers.ChoiceField(choices=EducationLevel.choices)
    pupils = serializers.IntegerField(min_value=1, max_value=GUEST_PUPILS_MAX)
    skills = UniqueListField(
        child=SlugField(slug_field="slug", queryset=Skill.objects.all()),
        required=False,
        max_length=30,
    )
    venues = UniqueListField(
        child=serializers.ChoiceField(choices=GuestVenue.choices), min_length=1
    )
    place = SlugField(slug_field="slug", queryset=Place.objects.all())
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    offer = serializers.IntegerField(read_only=True, allow_null=True)
    company = OrganisationRefSerializer(read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=GuestRequestStatus.choices, read_only=True)
    answer = serializers.CharField(read_only=True)
    slots = GuestSlotSerializer(many=True, read_only=True)
    pupils_reached = serializers.IntegerField(read_only=True, allow_null=True)

    def _sides(self) -> tuple[set[int], set[int]]:
        """The viewer's schools or learning locations and companies, once per
        response: a request's note and answer are for its two sides only, not for
        the learning locations' coaches who follow the region."""
        cached = self.context.get("_guest_sides")
        if cached is None:
            from learning import selectors as learning_selectors

            request = self.context.get("request")
            user = getattr(request, "user", None)
            cached = (
                set(learning_selectors.providers_for(user=user).values_list("pk", flat=True))
                if user
                else set(),
                set(learning_selectors.guest_companies_for(user=user).values_list("pk", flat=True))
                if user
                else set(),
            )
            self.context["_guest_sides"] = cached
        return cached

    def to_representation(self, r: Any) -> dict[str, Any]:
        company = r.offer.company if r.offer else None
        providers, companies = self._sides()
        side = r.organisation_id in providers or (company is not None and company.pk in companies)
        return {
            "id": r.pk,
            "organisation": {"slug": r.organisation.slug, "name": r.organisation.name},
            "format": r.format,
            "topic": r.topic,
            "class_name": r.class_name,
            "level": r.level,
            "pupils": r.pupils,
            "skills": [skill.slug for skill in r.skills.all()],
            "venues": r.venues,
            "place": r.place.slug,
            "note": r.note if side else "",
            "offer": r.offer_id,
            "company": {"slug": company.slug, "name": company.name} if company else None,
            "status": r.status,
            "answer": r.answer if side else "",
            "slots": slots_present(s for s in r.slots.all() if s.cancelled_at is None),
            "pupils_reached": r.pupils_reached,
        }


class GuestOfferFitSerializer(serializers.Serializer):
    offer = GuestOfferSerializer(read_only=True)
    score = serializers.FloatField(read_only=True)
    skills = serializers.FloatField(
        read_only=True, help_text=_("Share of the skills asked it shows.")
    )
    text = serializers.FloatField(read_only=True, help_text=_("Topic similarity, 0 to 1."))
    distance = serializers.FloatField(
        read_only=True, help_text=_("1 near, 0 at the company's reach.")
    )
    distance_km = serializers.FloatField(read_only=True)
    skills_shared = serializers.ListField(child=serializers.CharField(), read_only=True)


class GuestSendSerializer(serializers.Serializer):
    offer = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class GuestAcceptSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    slots = SlotInputSerializer(many=True, min_length=1, max_length=3)


class GuestDeclineSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=1000)


class GuestGivenSerializer(serializers.Serializer):
    pupils_reached = serializers.IntegerField(min_value=0, max_value=GUEST_PUPILS_MAX)
