"""Sitter passes: owners create, list and revoke them; a sitter opens one by its link."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import login
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.throttling import ScopedRateThrottle

from core import languages

from . import sitters
from .links import site_url
from .models import Child, PassUse, SitterPass
from .scoping import FamilyRelatedField, FamilyScopedMixin
from .serializers import FamilyRefSerializer

SESSION_AFTER_END = timedelta(hours=12)


class SitterPassSerializer(serializers.ModelSerializer):
    children = FamilyRelatedField(noun="child", queryset=Child.objects.all(), many=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = SitterPass
        fields = [
            "id",
            "name",
            "children",
            "starts_at",
            "ends_at",
            "status",
            "last_used_at",
            "uses",
            "created_at",
        ]
        read_only_fields = ["id", "status", "last_used_at", "uses", "created_at"]
        extra_kwargs = {"name": {"required": False}}

    def get_status(self, sitter_pass: SitterPass) -> str:
        return sitter_pass.status()


class IssuedPassSerializer(SitterPassSerializer):
    """The answer to creating a pass: the only place its token is ever shown."""

    token = serializers.CharField()
    url = serializers.CharField(help_text="The link to share with the sitter.")
    qr_svg = serializers.CharField(help_text="The link as a QR code (an SVG document).")

    class Meta(SitterPassSerializer.Meta):
        fields = [*SitterPassSerializer.Meta.fields, "token", "url", "qr_svg"]

    def to_representation(self, instance: Any) -> dict[str, Any]:
        issued: sitters.IssuedPass = instance
        data = SitterPassSerializer(issued.sitter_pass, context=self.context).data
        return {**data, "token": issued.token, "url": issued.url, "qr_svg": issued.qr_svg}


class PassUseSerializer(serializers.ModelSerializer):
    class Meta:
        model = PassUse
        fields = ["at", "name", "user_agent"]


class SitterPassViewSet(
    FamilyScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A family's sitter passes (owners): create for children and a window, list with
    status and uses, revoke (every session opened with it ends at once)."""

    queryset = SitterPass.objects.prefetch_related("children")
    serializer_class = SitterPassSerializer
    owner_actions = ("list", "retrieve", "create", "destroy", "visits")

    @extend_schema(responses={201: IssuedPassSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        issued = sitters.create_pass(
            membership=self.membership,
            children=data["children"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            name=data.get("name", ""),
            site_url=site_url(request._request),
        )
        return Response(IssuedPassSerializer(issued).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: SitterPass) -> None:
        sitters.revoke(instance)

    @extend_schema(responses={200: PassUseSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def visits(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Every opening of the pass: when, by which browser, under which name."""
        sitter_pass = self.get_object()
        return Response(PassUseSerializer(sitter_pass.visits.all(), many=True).data)

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return PassUseSerializer if self.action == "visits" else SitterPassSerializer


class RedeemSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=128)
    name = serializers.CharField(max_length=60, help_text="The sitter's first name.")


class ChildRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class RedeemedPassSerializer(serializers.Serializer):
    family = FamilyRefSerializer()
    children = ChildRefSerializer(many=True)
    ends_at = serializers.DateTimeField()
    role = serializers.CharField()


class RedeemPassView(GenericAPIView):
    """Open a sitter pass: the browser is signed in as a sitter until the pass ends. 403
    with the reason outside the window or once revoked."""

    serializer_class = RedeemSerializer
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "sitter_pass"

    @extend_schema(responses={200: RedeemedPassSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = sitters.redeem(  # sitters.PassRefused: 403 pass_refused, saying why
            token=serializer.validated_data["token"],
            name=serializer.validated_data["name"],
            user_agent=request.headers.get("User-Agent", "")[:200],
            language=languages.current(),  # from Accept-Language: nobody chose one yet
        )
        sitter_pass = membership.sitter_pass
        assert sitter_pass is not None  # a sitter's membership always has its pass
        backend = "django.contrib.auth.backends.ModelBackend"
        login(request._request, membership.user, backend=backend)
        # Kept a little past the end, so the sitter is told it ended rather than signed out.
        request.session.set_expiry(sitter_pass.ends_at + SESSION_AFTER_END)
        return Response(
            RedeemedPassSerializer(
                {
                    "family": {"id": membership.family_id, "name": membership.family.name},
                    "children": [{"id": c.pk, "name": c.name} for c in membership.children.all()],
                    "ends_at": sitter_pass.ends_at,
                    "role": membership.role,
                }
            ).data
        )
