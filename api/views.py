"""API views. Thin adapters: scope the queryset to the viewer, validate the body,
call a service or selector in accounts/marketplace/matching, present the result.

Objects outside the viewer's scope are 404 (``get_queryset`` is always scoped);
objects in scope that the viewer may not change are 403; a step a match's state
does not allow is 409.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet, prefetch_related_objects
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import imports as account_imports
from accounts import keys, selectors
from accounts import services as accounts_services
from accounts.exceptions import DomainError, NotAllowed
from accounts.models import ApiToken, ImportJob, Organisation, OrganisationKind, Role
from accounts.tabular import MAX_BYTES, TableInvalid
from api import filters
from api import serializers as s
from api.exceptions import error_body
from audit.services import personal_data_viewed
from insights import kpis
from marketplace import imports as market_imports
from marketplace import selectors as market_selectors
from marketplace import services as market
from marketplace.models import Opening, Place, Placement, Profile, Skill
from matching import interviews, workflow
from matching import services as matching_services
from matching.models import Interview, InterviewSlot, Match, MatchRun, MatchState
from matching.selectors import (
    candidates_for_company,
    matches_for_viewer,
    placements_for_viewer,
)
from notifications import inbox, webhooks
from notifications.models import Notification, WebhookDelivery, WebhookEndpoint
from privacy import services as privacy


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, always in English: the names a client is generated
    with never depend on the language of the request that fetched them."""

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        with translation.override("en"):
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
        return response


class IsCoordinator(BasePermission):
    """A coordinator who passed the second factor: a session that entered the
    one-time code, or a token made after it (``accounts.selectors``)."""

    def has_permission(self, request: Request, view: object) -> bool:
        accounts_services.coordinator_check(user=request.user)
        return True


class SecondFactorWhenNeeded(BasePermission):
    """People who need a second factor manage their credentials only after it."""

    def has_permission(self, request: Request, view: object) -> bool:
        accounts_services.second_factor_check(user=request.user)
        return True


def _valid(serializer_class: type[serializers.Serializer], request: Request, **kw: Any) -> dict:
    serializer = serializer_class(data=request.data, **kw)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _query(serializer_class: type[serializers.Serializer], request: Request) -> dict:
    """Validated query parameters: a wrong one is a 400 naming the field."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class MeView(APIView):
    """The logged-in user, with their roles and organisations."""

    serializer_class = s.MeSerializer

    def get(self, request: Request) -> Response:
        user = selectors.user_with_memberships(user_id=request.user.pk)
        return Response(s.MeSerializer(user).data)

    @extend_schema(request=s.AccountDeleteSerializer, responses={204: None})
    def delete(self, request: Request) -> Response:
        """Delete my account (AVG erasure): give the password again. What names or
        reaches the person goes; placements and figures keep an anonymous
        placeholder; every session and token ends."""
        body = _valid(s.AccountDeleteSerializer, request)
        if not request.user.check_password(body["password"]):
            raise DomainError(_("That is not your password."), field="password")
        privacy.account_erase(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyDataView(APIView):
    """Everything MaakMatch holds about me (AVG access), as JSON."""

    @extend_schema(responses={200: s.PersonalDataSerializer})
    def get(self, request: Request) -> Response:
        response = Response(privacy.personal_data_export(user=request.user))
        response["Cache-Control"] = "no-store"
        return response


class MatchRunViewSet(viewsets.ReadOnlyModelViewSet):
    """Full recomputes with their progress; coordinators only."""

    lookup_value_regex = "[0-9]{1,18}"  # longer: not found, not an overflow

    serializer_class = s.MatchRunSerializer
    permission_classes = [IsAuthenticated, IsCoordinator]
    queryset = MatchRun.objects.all()
    ordering_fields = ["started_at"]
    filterset_fields = ["status"]

    @extend_schema(request=None, responses={202: s.QueuedSerializer})
    @action(detail=False, methods=["post"])
    def start(self, request: Request) -> Response:
        """Queue a full recompute now. 409 if one is running or the queue is down."""
        matching_services.match_run_request(by=request.user)
        return Response({"detail": "queued"}, status=status.HTTP_202_ACCEPTED)


class SkillViewSet(viewsets.ReadOnlyModelViewSet):
    """The skills taxonomy, in Dutch and English. Public."""

    serializer_class = s.SkillSerializer
    permission_classes = [AllowAny]
    queryset = Skill.objects.order_by("slug")
    lookup_field = "slug"
    filterset_class = filters.SkillFilter
    ordering_fields = ["slug", "label_nl", "label_en"]


class PlaceViewSet(viewsets.ReadOnlyModelViewSet):
    """Municipalities with their coordinates. Public."""

    serializer_class = s.PlaceSerializer
    permission_classes = [AllowAny]
    queryset = Place.objects.order_by("name")
    lookup_field = "slug"
    filterset_class = filters.PlaceFilter
    ordering_fields = ["name"]


class CompanyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Companies: verified ones are public; members see and edit their own;
    coordinators see all and verify."""

    serializer_class = s.CompanySerializer
    lookup_field = "slug"
    filterset_fields = ["sector", "size_class", "sbb_recognised"]
    ordering_fields = ["name"]

    def get_permissions(self) -> list[BasePermission]:
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        return super().get_permissions()  # IsAuthenticated, or the action's own

    def get_queryset(self) -> QuerySet[Organisation]:
        companies = Organisation.objects.filter(kind=OrganisationKind.COMPANY).order_by("name")
        user = self.request.user
        if selectors.user_has_role(user=user, role=Role.COORDINATOR):
            return companies
        own = selectors.organisations_for_user(user=user, role=Role.COMPANY_MEMBER)
        return companies.filter(Q(verified_at__isnull=False) | Q(pk__in=own))

    @extend_schema(request=s.CompanyUpdateSerializer, responses=s.CompanySerializer)
    def partial_update(self, request: Request, slug: str) -> Response:
        """A member edits their company's page."""
        fields = _valid(s.CompanyUpdateSerializer, request, partial=True)
        company = market.company_update(company=self.get_object(), by=request.user, fields=fields)
        return Response(s.CompanySerializer(company).data)

    @extend_schema(request=None, responses=s.CompanySerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, IsCoordinator])
    def verify(self, request: Request, slug: str) -> Response:
        """A coordinator verifies the company: its openings become public."""
        company = market.company_verify(company=self.get_object(), coordinator=request.user)
        return Response(s.CompanySerializer(company).data)


def _skills_of(validated: dict[str, Any]) -> list[tuple[Skill, str, int]] | None:
    items = validated.pop("skills", None)
    if items is None:
        return None
    return [(i["skill"], i.get("importance", "must"), i.get("min_level", 1)) for i in items]


@extend_schema_view(
    list=extend_schema(
        description="Open openings of verified companies; members also "
        "see all of their own company's openings."
    ),
)
class OpeningViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Openings: public search and detail; company members create, change,
    publish and close their own."""

    serializer_class = s.OpeningSerializer
    lookup_field = "slug"
    filterset_class = filters.OpeningApiFilter
    ordering_fields = ["published_at", "start_date", "title"]

    def get_permissions(self) -> list[BasePermission]:
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_queryset(self) -> QuerySet[Opening]:
        # Public openings, and every opening of the viewer's own companies.
        return (
            market_selectors.openings_visible_to(viewer=self.request.user)
            .select_related("company", "place")
            .prefetch_related("opening_skills__skill")
            .order_by("-published_at", "-created_at", "pk")
        )

    def _company_for(self, validated: dict[str, Any]) -> Organisation:
        company = validated.pop("company", None)
        if company is not None:
            return company
        own = list(
            selectors.organisations_for_user(user=self.request.user, role=Role.COMPANY_MEMBER)[:2]
        )
        if not own:
            raise NotAllowed(_("Only company members create openings."))
        if len(own) > 1:
            raise DomainError(_("Say which company the opening is for."), field="company")
        return own[0]

    @extend_schema(request=s.OpeningWriteSerializer, responses={201: s.OpeningSerializer})
    def create(self, request: Request) -> Response:
        """A company member drafts an opening (publish it to make it public)."""
        validated = _valid(s.OpeningWriteSerializer, request, context={"request": request})
        skills = _skills_of(validated)
        company = self._company_for(validated)
        opening = market.opening_create(
            company=company, by=request.user, fields=validated, skills=skills
        )
        return Response(self._present(opening), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.OpeningWriteSerializer, responses=s.OpeningSerializer)
    def partial_update(self, request: Request, slug: str) -> Response:
        """Change an opening of your own company (any subset of fields)."""
        validated = _valid(s.OpeningWriteSerializer, request, partial=True)
        validated.pop("company", None)
        skills = _skills_of(validated)
        opening = market.opening_update(
            opening=self.get_object(), by=request.user, fields=validated, skills=skills
        )
        return Response(self._present(opening))

    @extend_schema(request=None, responses=s.OpeningSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, slug: str) -> Response:
        """Publish a draft: public at once, and matched within seconds."""
        opening = market.opening_publish_by(opening=self.get_object(), by=request.user)
        return Response(self._present(opening))

    @extend_schema(request=None, responses=s.OpeningSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, slug: str) -> Response:
        """Close an opening; suggestions in progress are withdrawn."""
        opening = workflow.opening_close(opening=self.get_object(), by=request.user)
        return Response(self._present(opening))

    def _present(self, opening: Opening) -> dict[str, Any]:
        fresh = (
            Opening.objects.select_related("company", "place")
            .prefetch_related("opening_skills__skill")
            .get(pk=opening.pk)
        )
        return s.OpeningSerializer(fresh).data


class ProfileViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Profiles: a student reads and writes their own (``/profiles/me/``); a
    counsellor reads their students'. Nobody else sees any."""

    lookup_value_regex = "[0-9]{1,18}"  # longer: not found, not an overflow

    serializer_class = s.ProfileSerializer
    filterset_fields = ["education_level", "is_visible"]
    ordering_fields = ["updated_at"]

    def get_queryset(self) -> QuerySet[Profile]:
        students = selectors.students_for_viewer(viewer=self.request.user)
        return (
            Profile.objects.filter(user__in=students)
            .select_related("user", "place")
            .prefetch_related("profile_skills__skill")
            .order_by("pk")
        )

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        personal_data_viewed(viewer=request.user, students=[p.user for p in page], what="profile")
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        profile = self.get_object()
        personal_data_viewed(viewer=request.user, students=[profile.user], what="profile")
        return Response(self.get_serializer(profile).data)

    @extend_schema(request=s.ProfileWriteSerializer, responses=s.ProfileSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        """Only the student themself; a counsellor gets 403."""
        profile = self.get_object()
        return self._write(request, user=profile.user)

    @extend_schema(methods=["GET"], request=None, responses={200: s.ProfileSerializer})
    @extend_schema(
        methods=["PATCH"], request=s.ProfileWriteSerializer, responses=s.ProfileSerializer
    )
    @action(detail=False, methods=["get", "patch"])
    def me(self, request: Request) -> Response:
        """Your own profile (404 until you write it); PATCH makes or changes it."""
        if request.method == "PATCH":
            return self._write(request, user=request.user)
        profile = self.get_queryset().filter(user=request.user).first()
        if profile is None:
            raise NotFound("You have no profile yet; PATCH /api/v1/profiles/me/ to make one.")
        return Response(self.get_serializer(profile).data)

    def _write(self, request: Request, *, user: Any) -> Response:
        validated = _valid(s.ProfileWriteSerializer, request, partial=True)
        items = validated.pop("skills", None)
        skills = None if items is None else [(i["skill"], i.get("level", 1)) for i in items]
        profile = workflow.profile_write(
            user=user, by=request.user, fields=validated, skills=skills
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=profile.pk)).data)


class SuggestionViewSet(viewsets.ReadOnlyModelViewSet):
    """Suggestions, as each party may see them, and the steps on them.

    A student sees their approved suggestions with the reasons; a counsellor sees
    their students' and approves or rejects; a company sees the anonymised
    candidates forwarded to it and invites or declines. A step the state does
    not allow is 409, a step that is not yours is 403.
    """

    lookup_value_regex = "[0-9]{1,18}"  # longer: not found, not an overflow

    serializer_class = s.SuggestionSerializer
    queryset = Match.objects.none()  # for the schema; get_queryset scopes it
    filterset_class = filters.SuggestionFilter
    ordering_fields = ["score", "state_changed_at"]

    def get_queryset(self) -> QuerySet[Match]:
        return (
            matches_for_viewer(viewer=self.request.user)
            .select_related("opening__company", "opening__place", "profile__user")
            .order_by("-score", "pk")
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "relations": {}, "candidates": {}}

    def _context(self, matches: list[Match]) -> dict[str, Any]:
        """Whose view each match gets, and the companies' candidates in batches."""
        user = self.request.user
        others = {m.profile.user_id for m in matches} - {user.pk}
        # A student reading their own suggestions needs no counsellor's scope.
        counselled = (
            set(
                selectors.students_for_viewer(viewer=user)
                .filter(pk__in=others)
                .values_list("pk", flat=True)
            )
            if others
            else set()
        )
        relations: dict[int, str] = {}
        for m in matches:
            if m.profile.user_id == user.pk:
                relations[m.pk] = "student"
            elif m.profile.user_id in counselled:
                relations[m.pk] = "reviewer"
            else:
                relations[m.pk] = "company"
        by_company: dict[int, list[Match]] = {}
        for m in matches:
            if relations[m.pk] == "company":
                by_company.setdefault(m.opening.company_id, []).append(m)
        candidates: dict[int, dict] = {}
        if by_company:  # only a company's candidates show skills
            prefetch_related_objects(
                [m for group in by_company.values() for m in group],
                "profile__profile_skills__skill",
            )
        for group in by_company.values():
            for m, c in zip(group, candidates_for_company(matches=group, viewer=user), strict=True):
                candidates[m.pk] = c
        blocked = {
            m.pk: workflow.match_block_reason(match=m)
            for m in matches
            if relations[m.pk] == "reviewer" and m.state == MatchState.SUGGESTED
        }
        reviewed = [m.profile.user for m in matches if relations[m.pk] == "reviewer"]
        personal_data_viewed(viewer=user, students=reviewed, what="suggestion")
        # Asked for the whole page, so a page costs the same queries whoever is on it.
        interviews = (
            {
                i.match_id: i
                for i in Interview.objects.filter(
                    match_id__in=[m.pk for m in matches]
                ).prefetch_related("slots")
            }
            if matches
            else {}
        )
        return {
            "relations": relations,
            "candidates": candidates,
            "blocked": blocked,
            "interviews": interviews,
        }

    def list(self, request: Request) -> Response:
        page = list(self.paginate_queryset(self.filter_queryset(self.get_queryset())))
        data = s.SuggestionSerializer(page, many=True, context=self._context(page)).data
        return self.get_paginated_response(data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return self._present(self.get_object())

    def _present(self, match: Match, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().filter(pk=match.pk).first()
        if fresh is None:  # the step took it out of the viewer's scope
            return Response({"id": match.pk, "state": match.state}, status=code)
        return Response(
            s.SuggestionSerializer(fresh, context=self._context([fresh])).data, status=code
        )

    def _step(self, request: Request, step: Any, body: type | None = None, **kw: Any) -> Response:
        match = self.get_object()
        data = _valid(body, request) if body is not None else {}
        step(match=match, by=request.user, **data, **kw)
        return self._present(match)

    @extend_schema(request=s.ReasonSerializer, responses=s.SuggestionSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        """A counsellor (or the adult without a school) shows it to the student."""
        return self._step(request, workflow.match_approve, s.ReasonSerializer)

    @extend_schema(request=s.RequiredReasonSerializer, responses=s.SuggestionSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        """A counsellor keeps it from the student, with a reason."""
        return self._step(request, workflow.match_reject, s.RequiredReasonSerializer)

    @extend_schema(request=s.ReasonSerializer, responses=s.SuggestionSerializer)
    @action(detail=True, methods=["post"])
    def yes(self, request: Request, pk: str) -> Response:
        """The student says yes: the company sees them, anonymised."""
        return self._step(request, workflow.match_student_answer, s.ReasonSerializer, yes=True)

    @extend_schema(request=s.ReasonSerializer, responses=s.SuggestionSerializer)
    @action(detail=True, methods=["post"])
    def no(self, request: Request, pk: str) -> Response:
        """The student says no."""
        return self._step(request, workflow.match_student_answer, s.ReasonSerializer, yes=False)

    @extend_schema(request=s.InviteSerializer, responses=s.SuggestionSerializer)
    @action(detail=True, methods=["post"])
    def invite(self, request: Request, pk: str) -> Response:
        """The company invites the candidate with a message and up to three
        interview times; the student picks one (``interview/choose``)."""
        match = self.get_object()
        data = _valid(s.InviteSerializer, request)
        if data["slots"]:
            interviews.interview_propose(
                match=match, by=request.user, message=data["message"], slots=_slots(data)
            )
        else:
            workflow.match_invite(match=match, by=request.user, message=data["message"])
        return self._present(match)

    @extend_schema(request=s.ProposeTimesSerializer, responses=s.SuggestionSerializer)
    @action(
        detail=True, methods=["post"], url_path="interview/propose", url_name="interview-propose"
    )
    def interview_propose(self, request: Request, pk: str) -> Response:
        """The company proposes new times to an invited candidate; the times
        offered before and not chosen are withdrawn."""
        match = self.get_object()
        data = _valid(s.ProposeTimesSerializer, request)
        interviews.interview_propose(
            match=match, by=request.user, message=data["message"], slots=_slots(data)
        )
        return self._present(match)

    @extend_schema(request=s.ChooseTimeSerializer, responses=s.SuggestionSerializer)
    @action(detail=True, methods=["post"], url_path="interview/choose", url_name="interview-choose")
    def interview_choose(self, request: Request, pk: str) -> Response:
        """The student picks a proposed time, which accepts an open invitation.
        Both sides get an e-mail with the event for their calendar."""
        match = self.get_object()
        data = _valid(s.ChooseTimeSerializer, request)
        slot = InterviewSlot.objects.filter(interview__match=match, pk=data["slot"]).first()
        if slot is None:
            raise DomainError(_("This suggestion has no such time."), field="slot")
        interviews.interview_choose(slot=slot, by=request.user)
        return self._present(match)

    @extend_schema(request=s.OtherTimeSerializer, responses=s.SuggestionSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path="interview/other-time",
        url_name="interview-other-time",
    )
    def interview_other_time(self, request: Request, pk: str) -> Response:
        """None of the times suit the student: the company hears so, with the note."""
        match = self.get_object()
        data = _valid(s.OtherTimeSerializer, request)
        interviews.interview_other_time(match=match, by=request.user, note=data["note"])
        return self._present(match)

    @extend_schema(request=s.SlotInputSerializer, responses=s.SuggestionSerializer)
    @action(detail=True, methods=["post"], url_path="interview/move", url_name="interview-move")
    def interview_move(self, request: Request, pk: str) -> Response:
        """The company moves the chosen time; both calendars get the update."""
        match = self.get_object()
        data = _valid(s.SlotInputSerializer, request)
        interviews.interview_move(
            interview=interviews.interview_of(match=match),
            by=request.user,
            slot=interviews.SlotInput(**data),
        )
        return self._present(match)

    @extend_schema(request=None, responses=s.SuggestionSerializer)
    @action(detail=True, methods=["post"], url_path="interview/cancel", url_name="interview-cancel")
    def interview_cancel(self, request: Request, pk: str) -> Response:
        """The company or the student cancels the chosen time; both calendars drop it."""
        match = self.get_object()
        interviews.interview_cancel(interview=interviews.interview_of(match=match), by=request.user)
        return self._present(match)

    @extend_schema(request=s.ReasonSerializer, responses=s.SuggestionSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        """The company declines the candidate."""
        return self._step(request, workflow.match_decline, s.ReasonSerializer)

    @extend_schema(request=s.ReasonSerializer, responses=s.SuggestionSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        """The student accepts the invitation: the company sees their name."""
        return self._step(
            request, workflow.match_invitation_answer, s.ReasonSerializer, accept=True
        )

    @extend_schema(request=s.ReasonSerializer, responses=s.SuggestionSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk: str) -> Response:
        """The student turns the invitation down."""
        return self._step(
            request, workflow.match_invitation_answer, s.ReasonSerializer, accept=False
        )

    @extend_schema(request=s.PlaceRequestSerializer, responses={201: s.PlacementSerializer})
    @action(detail=True, methods=["post"])
    def place(self, request: Request, pk: str) -> Response:
        """The company confirms the placement (dates default to the opening's)."""
        match = self.get_object()
        data = _valid(s.PlaceRequestSerializer, request)
        placement = workflow.match_place(match=match, by=request.user, **data)
        return Response(s.PlacementSerializer(placement).data, status=status.HTTP_201_CREATED)


def _slots(data: dict) -> list[interviews.SlotInput]:
    return [interviews.SlotInput(**slot) for slot in data["slots"]]


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Your own notifications, newest first (``?unread=true`` for the unread
    ones), each said in the request's language with the page it is about."""

    lookup_value_regex = "[0-9]{1,18}"  # longer: not found, not an overflow

    serializer_class = s.NotificationSerializer
    filterset_class = filters.NotificationFilter
    queryset = Notification.objects.none()  # for the schema; get_queryset scopes it

    def get_queryset(self) -> QuerySet[Notification]:
        return inbox.notifications_for_user(user=self.request.user)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response([_notification(n) for n in page])

    @extend_schema(request=None, responses=s.NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        """Mark one notification read."""
        if inbox.notification_open(user=request.user, notification_id=int(pk)) is None:
            raise NotFound
        return Response(_notification(self.get_queryset().get(pk=pk)))

    @extend_schema(request=None, responses=s.NotificationsReadSerializer)
    @action(detail=False, methods=["post"], url_path="read-all", url_name="read-all")
    def read_all(self, request: Request) -> Response:
        """Mark all your notifications read."""
        return Response({"read": inbox.notifications_read_all(user=request.user)})


def _notification(notification: Notification) -> dict[str, Any]:
    return s.NotificationSerializer(
        {
            "id": notification.pk,
            "kind": notification.kind,
            "text": inbox.notification_text(notification),
            "url": notification.url,
            "read": notification.read_at is not None,
            "created_at": notification.created_at,
        }
    ).data


class PlacementViewSet(viewsets.ReadOnlyModelViewSet):
    """Confirmed outcomes, for the parties: the student, their counsellors, the company."""

    lookup_value_regex = "[0-9]{1,18}"  # longer: not found, not an overflow

    serializer_class = s.PlacementSerializer
    filterset_fields = ["status", "type"]
    ordering_fields = ["confirmed_at", "start_date"]

    def get_queryset(self) -> QuerySet[Placement]:
        return placements_for_viewer(viewer=self.request.user).order_by("-confirmed_at", "pk")

    @extend_schema(request=s.RequiredReasonSerializer, responses=s.PlacementSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        """Cancel with a reason: the place is free again."""
        data = _valid(s.RequiredReasonSerializer, request)
        placement = workflow.placement_cancel(
            placement=self.get_object(), by=request.user, reason=data["reason"]
        )
        return Response(s.PlacementSerializer(placement).data)


class ApiTokenViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your personal API tokens. The key is shown once, when made; DELETE revokes."""

    lookup_value_regex = "[0-9]{1,18}"  # longer: not found, not an overflow

    serializer_class = s.ApiTokenSerializer
    permission_classes = [IsAuthenticated, SecondFactorWhenNeeded]
    queryset = ApiToken.objects.none()  # for the schema; get_queryset scopes it
    ordering_fields = ["created_at"]

    def get_queryset(self) -> QuerySet[ApiToken]:
        return ApiToken.objects.filter(user=self.request.user).order_by("-created_at", "pk")

    def _session_only(self, request: Request) -> None:
        # A leaked token must not mint tokens that outlive its own revocation.
        if request.auth is not None:  # a token or an organisation key
            raise NotAllowed(_("Make and revoke tokens when logged in, not with a token."))

    @extend_schema(request=s.ApiTokenSerializer, responses={201: s.ApiTokenCreatedSerializer})
    def create(self, request: Request) -> Response:
        self._session_only(request)
        data = _valid(s.ApiTokenSerializer, request)
        token, key = accounts_services.api_token_create(user=request.user, name=data["name"])
        token.key = key
        return Response(s.ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: str) -> Response:
        self._session_only(request)
        accounts_services.api_token_revoke(token=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _kpi_period(request: Request) -> kpis.Period:
    label = request.query_params.get("period")
    if not label:
        return kpis.Period.quarter_of(timezone.localdate())
    return kpis.Period.parse(label)


class KpiView(APIView):
    """The region's figures for a quarter or year, by breakdown; coordinators
    only. The same figures as the dashboard: a count of 1 to 4 people is "<5",
    a rate or median resting on fewer than 5 people "n<5"."""

    permission_classes = [IsAuthenticated, IsCoordinator]
    serializer_class = s.KpiSerializer

    @extend_schema(parameters=[s.KpiQuerySerializer])
    def get(self, request: Request) -> Response:
        query = _query(s.KpiQuerySerializer, request)
        period = _kpi_period(request)
        breakdown = query.get("breakdown") or kpis.TOTAL
        data = kpis.dashboard(period=period, breakdown=breakdown)
        baseline = data["baseline"]
        body = {
            "period": period.label,
            "breakdown": breakdown,
            "rows": data["rows"],
            "baseline": (
                {"period": baseline.period, "taken_at": baseline.taken_at} if baseline else None
            ),
            "changes": data["changes"],
            "trend": data["trend"],
        }
        return Response(s.KpiSerializer(body).data)


class SkillsGapView(APIView):
    """The skills gap: demand (places) against supply (profiles) per skill, and
    how often each was a missing must-have in the period's suggestions."""

    permission_classes = [IsAuthenticated, IsCoordinator]
    serializer_class = s.SkillsGapSerializer

    @extend_schema(parameters=[s.SkillsGapQuerySerializer])
    def get(self, request: Request) -> Response:
        query = _query(s.SkillsGapQuerySerializer, request)
        period = _kpi_period(request)
        rows = kpis.skills_gap(
            period=period,
            municipality=query.get("municipality") or None,
            education_level=query.get("education_level") or None,
        )
        return Response(s.SkillsGapSerializer({"period": period.label, "rows": rows}).data)


class ImportViewSet(viewsets.ReadOnlyModelViewSet):
    """Bulk imports from CSV and their progress. Each person sees only their own.

    Upload with ``multipart/form-data``. A file of at most
    ``MAAKMATCH_IMPORT_INLINE_ROWS`` rows (500 by default) is checked and stored at
    once (201). A longer one is queued for the worker (202); poll its
    ``status`` and ``rows_done``. A file with any bad line stores nothing: 400
    with every problem in ``lines`` (and in ``fields.file``), or, for a queued
    file, ``status: failed`` with the problems in ``errors``. The columns are
    listed on the upload pages, which also offer a template.
    """

    lookup_value_regex = "[0-9]{1,18}"
    serializer_class = s.ImportJobSerializer
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]
    ordering_fields = ["created_at"]
    filterset_fields = ["kind", "status"]

    def get_queryset(self) -> QuerySet[ImportJob]:
        return account_imports.jobs_of(viewer=self.request.user)

    def _start(
        self, request: Request, start: Any, organisation: Organisation | None, upload: Any
    ) -> Response:
        try:
            job = start(
                by=request.user,
                organisation=organisation,
                filename=upload.name or "",
                data=upload.read(MAX_BYTES + 1),
            )
        except TableInvalid as exc:
            lines = [e.as_dict() for e in exc.errors]
            detail = _("Nothing was imported: fix the lines below and upload the file again.")
            body = error_body(
                "invalid",
                detail,
                {
                    "file": [
                        f"{e.line}: {e.column}: {e.message}"
                        if e.column
                        else f"{e.line}: {e.message}"
                        for e in exc.errors
                    ]
                },
            )
            return Response({**body, "lines": lines}, status=status.HTTP_400_BAD_REQUEST)
        queued = job.status == "queued"
        return Response(
            s.ImportJobSerializer(job).data,
            status=status.HTTP_202_ACCEPTED if queued else status.HTTP_201_CREATED,
        )

    def _upload(self, request: Request, role: str) -> tuple[Organisation | None, Any]:
        """The uploaded file, and the organisation (of the viewer's, with ``role``) it is for."""
        data = _valid(s.ImportUploadSerializer, request)
        if "organisation" not in data:
            return None, data["file"]
        organisation = (
            selectors.organisations_for_user(user=request.user, role=role)
            .filter(pk=data["organisation"])
            .first()
        )
        if organisation is None:
            raise DomainError(_("You cannot import for this organisation."), field="organisation")
        return organisation, data["file"]

    @extend_schema(
        request={"multipart/form-data": s.ImportUploadSerializer},
        responses={201: s.ImportJobSerializer, 202: s.ImportJobSerializer},
    )
    @action(detail=False, methods=["post"])
    def students(self, request: Request) -> Response:
        """A counsellor's class list: name, email, education level, programme, crebo, class.
        Each new student gets an invitation email; people already invited are skipped."""
        organisation, upload = self._upload(request, Role.COUNSELLOR)
        if organisation is None:
            raise DomainError(_("Choose the school the students join."), field="organisation")
        return self._start(request, account_imports.students_import_start, organisation, upload)

    @extend_schema(
        request={"multipart/form-data": s.ImportUploadSerializer},
        responses={201: s.ImportJobSerializer, 202: s.ImportJobSerializer},
    )
    @action(detail=False, methods=["post"])
    def openings(self, request: Request) -> Response:
        """A company's openings (members give ``organisation``), or any company's
        (coordinators leave it out and fill the KvK column). Skills by any label
        or synonym; an unknown one is reported with the closest names."""
        organisation, upload = self._upload(request, Role.COMPANY_MEMBER)
        return self._start(request, market_imports.openings_import_start, organisation, upload)


class WebhookViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The webhooks of the organisations you are an admin of, and each one's
    deliveries with their last response. The secret is shown once, when made."""

    lookup_value_regex = "[0-9]{1,18}"
    serializer_class = s.WebhookSerializer
    queryset = WebhookEndpoint.objects.none()  # for the schema; get_queryset scopes it
    ordering_fields = ["created_at"]

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        return webhooks.webhooks_for_admin(user=self.request.user)

    def _present(self, endpoint: WebhookEndpoint) -> dict[str, Any]:
        return {
            "id": endpoint.pk,
            "organisation": endpoint.organisation.slug,
            "url": endpoint.url,
            "events": endpoint.events,
            "created_at": endpoint.created_at,
        }

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = s.WebhookSerializer([self._present(e) for e in page], many=True).data
        return self.get_paginated_response(data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(s.WebhookSerializer(self._present(self.get_object())).data)

    @extend_schema(request=s.WebhookSerializer, responses={201: s.WebhookCreatedSerializer})
    def create(self, request: Request) -> Response:
        data = _valid(s.WebhookSerializer, request)
        organisation = (
            keys.organisations_administered(user=request.user)
            .filter(slug=data["organisation"])
            .first()
        )
        if organisation is None:
            raise NotAllowed(_("Only an admin of the organisation manages its webhooks."))
        endpoint, secret = webhooks.webhook_create(
            by=request.user, organisation=organisation, url=data["url"], events=data["events"]
        )
        body = {**self._present(endpoint), "secret": secret}
        return Response(s.WebhookCreatedSerializer(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: str) -> Response:
        webhooks.webhook_remove(endpoint=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=s.WebhookDeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str) -> Response:
        """The latest deliveries (at most 100), newest first."""
        endpoint = self.get_object()
        rows = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-pk")
        return Response(s.WebhookDeliverySerializer(rows[:100], many=True).data)
