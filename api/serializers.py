from __future__ import annotations

from rest_framework import serializers

from accounts.models import Membership, User


class MembershipSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name", default=None)
    organisation_kind = serializers.CharField(source="organisation.kind", default=None)

    class Meta:
        model = Membership
        fields = ["role", "organisation", "organisation_kind"]


class MeSerializer(serializers.ModelSerializer):
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "language", "memberships"]
