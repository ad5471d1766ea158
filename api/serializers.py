from __future__ import annotations

from rest_framework import serializers

from accounts.models import Membership, User
from matching.models import MatchRun


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


class MatchRunSerializer(serializers.ModelSerializer):
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
