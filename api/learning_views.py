"""Courses, course suggestions and sign-ups in the API. Thin, like ``api.views``:
the queryset is scoped to the viewer (others' objects are 404), a service makes
each change, a domain rule's refusal is 403 or 409."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from api import serializers as s
from learning import selectors, services
from learning.filters import CourseFilter
from learning.models import Course, CourseSuggestion, Enrolment
from marketplace.models import Opening


class CourseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Courses at the region's learning locations and schools: public search and
    detail; a signed-in person signs up for one."""

    serializer_class = s.CourseSerializer
    lookup_field = "slug"
    filterset_class = CourseFilter
    queryset = Course.objects.none()  # for the schema; get_queryset scopes it

    def get_permissions(self) -> list[BasePermission]:
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_queryset(self) -> QuerySet[Course]:
        return selectors.courses_visible_to(viewer=self.request.user).order_by(
            "on_request", "starts_on", "title", "pk"
        )

    @extend_schema(request=s.EnrolmentRequestSerializer, responses={201: s.EnrolmentSerializer})
    @action(detail=True, methods=["post"], url_path="sign-up", url_name="sign-up")
    def sign_up(self, request: Request, slug: str) -> Response:
        """Sign up for this course; the provider's coach confirms it."""
        body = s.EnrolmentRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        enrolment = services.enrolment_request(
            course=self.get_object(),
            user=request.user,
            motivation=body.validated_data.get("motivation", ""),
        )
        return Response(enrolment_present(enrolment), status=status.HTTP_201_CREATED)


class CourseSuggestionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Your course suggestions: courses that teach what your best suggestions ask
    and you miss, best first, each with the openings it brings you closer to."""

    serializer_class = s.CourseSuggestionSerializer
    permission_classes = [IsAuthenticated]
    queryset = CourseSuggestion.objects.none()

    def get_queryset(self) -> QuerySet[CourseSuggestion]:
        return selectors.course_suggestions_for(user=self.request.user)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        ids = {o["opening"] for row in page for o in row.openings}
        found = list(Opening.objects.filter(pk__in=ids).values_list("pk", "slug", "title"))
        slugs = {pk: slug for pk, slug, _title in found}
        titles = {pk: title for pk, _slug, title in found}
        data = [
            {
                "course": row.course,
                "rank": row.rank,
                "score": row.score,
                "closes": row.closes,
                "openings": [
                    {**o, "opening": slugs[o["opening"]], "title": titles[o["opening"]]}
                    for o in row.openings
                    if o["opening"] in slugs
                ],
            }
            for row in page
        ]
        return self.get_paginated_response(s.CourseSuggestionSerializer(data, many=True).data)


def enrolment_present(enrolment: Enrolment) -> dict[str, Any]:
    user = enrolment.user
    return s.EnrolmentSerializer(
        {
            "id": enrolment.pk,
            "course": enrolment.course,
            "person": {"name": user.get_full_name(), "email": user.email},
            "group": enrolment.group,
            "status": enrolment.status,
            "requested_at": enrolment.requested_at,
            "completed_at": enrolment.completed_at,
            "skills_added": enrolment.skills_added,
        }
    ).data


class EnrolmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Sign-ups: your own, and those for the courses you keep as a coach, who
    confirms, declines or records completion."""

    serializer_class = s.EnrolmentSerializer
    permission_classes = [IsAuthenticated]
    lookup_value_regex = "[0-9]{1,18}"
    queryset = Enrolment.objects.none()

    def get_queryset(self) -> QuerySet[Enrolment]:
        return selectors.enrolments_visible_to(viewer=self.request.user)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([enrolment_present(e) for e in page])

    @extend_schema(request=None, responses=s.EnrolmentSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        """A coach of the course's provider confirms the sign-up."""
        done = services.enrolment_decide(enrolment=self.get_object(), by=request.user, confirm=True)
        return Response(enrolment_present(done))

    @extend_schema(request=None, responses=s.EnrolmentSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        """A coach of the course's provider declines the sign-up."""
        done = services.enrolment_decide(
            enrolment=self.get_object(), by=request.user, confirm=False
        )
        return Response(enrolment_present(done))

    @extend_schema(request=None, responses=s.EnrolmentSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        """A coach records completion: the course's skills go on the person's
        profile, marked as from a course, and their suggestions are recomputed."""
        done = services.enrolment_complete(enrolment=self.get_object(), by=request.user)
        return Response(enrolment_present(done))

    @extend_schema(request=None, responses=s.EnrolmentSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        """The person who signed up withdraws."""
        done = services.enrolment_withdraw(enrolment=self.get_object(), by=request.user)
        return Response(enrolment_present(done))
