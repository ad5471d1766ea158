"""API views. Thin adapters over accounts/marketplace/matching services and selectors."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors
from api.serializers import MeSerializer


class MeView(APIView):
    """The logged-in user, with their roles."""

    serializer_class = MeSerializer

    def get(self, request: Request) -> Response:
        user = selectors.user_with_memberships(user_id=request.user.pk)
        return Response(MeSerializer(user).data)
