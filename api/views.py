"""API views. Thin adapters over accounts/marketplace/matching services and selectors."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors
from accounts.models import Role
from api.serializers import MatchRunSerializer, MeSerializer
from matching import services as matching_services
from matching.models import MatchRun


class MeView(APIView):
    """The logged-in user, with their roles."""

    serializer_class = MeSerializer

    def get(self, request: Request) -> Response:
        user = selectors.user_with_memberships(user_id=request.user.pk)
        return Response(MeSerializer(user).data)


class IsCoordinator(BasePermission):
    message = "Only the region's coordinators may do this."

    def has_permission(self, request: Request, view: object) -> bool:
        return selectors.user_has_role(user=request.user, role=Role.COORDINATOR)


class MatchRunViewSet(viewsets.ReadOnlyModelViewSet):
    """Full recomputes with their progress; coordinators only."""

    serializer_class = MatchRunSerializer
    permission_classes = [IsAuthenticated, IsCoordinator]
    queryset = MatchRun.objects.all()
    ordering_fields = ["started_at"]

    @extend_schema(request=None, responses={202: None})
    @action(detail=False, methods=["post"])
    def start(self, request: Request) -> Response:
        """Queue a full recompute now. 409 if one is running or the queue is down."""
        matching_services.match_run_request(by=request.user)
        return Response({"detail": "queued"}, status=status.HTTP_202_ACCEPTED)
