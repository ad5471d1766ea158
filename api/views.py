"""API views. Thin adapters over accounts/marketplace/matching services and selectors."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from api.serializers import MeSerializer


class MeView(APIView):
    """The logged-in user, with their roles."""

    serializer_class = MeSerializer

    def get(self, request: Request) -> Response:
        user = User.objects.prefetch_related("memberships__organisation").get(pk=request.user.pk)
        return Response(MeSerializer(user).data)
