"""Family endpoints: families, members, invitations, children."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.throttling import ScopedRateThrottle

from . import devices, services
from .links import site_url
from .media import release
from .models import Child, Family, Invitation, Membership, Role
from .scoping import FamilyScopedMixin, FamilyScopedViewSet, families_of
from .serializers import (
    AcceptedInvitationSerializer,
    AcceptInvitationSerializer,
    ChildSerializer,
    ConfirmPasswordSerializer,
    FamilySerializer,
    InvitationPreviewSerializer,
    InvitationSerializer,
    IssuedInvitationSerializer,
    MemberSerializer,
)
from .users import request_user


class FamilyViewSet(FamilyScopedMixin, viewsets.ModelViewSet):
    """My families: list, create (I become owner), read, rename, delete (owners)."""

    serializer_class = FamilySerializer
    lookup_url_kwarg = "family_id"
    owner_actions = ("update", "partial_update", "destroy")
    sitter_actions = ("retrieve",)
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Family]:
        my_role = Membership.objects.filter(family=OuterRef("pk"), user=self.request.user.pk)
        return (
            families_of(self.request.user)
            .annotate(my_role=Subquery(my_role.values("role")[:1]))
            .order_by("name", "id")
        )

    def get_serializer_context(self) -> Mapping[str, Any]:
        return viewsets.ModelViewSet.get_serializer_context(self)

    @extend_schema(
        request=ConfirmPasswordSerializer,
        responses={204: None},
        description="Deletes the family with all its data (owners). Needs the caller's "
        "current `password` in the body: a 400 naming `password` without it.",
    )
    def destroy(self, request: Request, *args: object, **kwargs: object) -> Response:
        family = self.get_object()
        confirm = ConfirmPasswordSerializer(data=request.data)
        confirm.is_valid(raise_exception=True)
        services.delete_family(
            family, user=request_user(request), password=confirm.validated_data["password"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    def perform_update(self, serializer: BaseSerializer[Family]) -> None:
        family = serializer.save()
        devices.follow_family_language(family)

    def perform_create(self, serializer: BaseSerializer[Family]) -> None:
        membership = services.create_family(
            user=request_user(self.request),
            name=serializer.validated_data["name"],
            timezone_name=serializer.validated_data["timezone"],
        )
        membership.family.my_role = membership.role  # type: ignore[attr-defined]  # as get_queryset annotates
        serializer.instance = membership.family


class MemberViewSet(
    FamilyScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Members with roles. Owners change roles and remove members; anyone may leave."""

    # Sitters come and go with their passes, tablets as child devices (listed there).
    queryset = (
        Membership.objects.exclude(role__in=[Role.SITTER, Role.DEVICE])
        .select_related("user")
        .prefetch_related("children")
    )
    serializer_class = MemberSerializer
    owner_actions = ("update", "partial_update")
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def perform_update(self, serializer: BaseSerializer[Membership]) -> None:
        membership = serializer.instance
        assert membership is not None  # an update always has its object
        if "role" in serializer.validated_data:
            services.change_role(membership=membership, role=serializer.validated_data["role"])
        if "children" in serializer.validated_data:
            services.set_member_children(membership, serializer.validated_data["children"])

    def perform_destroy(self, instance: Membership) -> None:
        if instance.pk != self.membership.pk and not self.membership.is_owner:
            raise PermissionDenied(_("Only an owner can remove someone else."))
        services.remove_membership(instance)


class InvitationViewSet(
    FamilyScopedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Invitation links. The token is shown once, when created; DELETE revokes (owners)."""

    queryset = Invitation.objects.select_related("created_by")
    serializer_class = InvitationSerializer
    owner_actions = ("destroy",)
    throttle_scope = "invitation"

    def get_throttles(self) -> list:
        return [ScopedRateThrottle()] if self.action == "create" else []

    @extend_schema(responses={201: IssuedInvitationSerializer})
    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        issued = services.create_invitation(
            membership=self.membership,
            role=serializer.validated_data["role"],
            site_url=site_url(request._request),
        )
        return Response(IssuedInvitationSerializer(issued).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: object, **kwargs: object) -> Response:
        services.revoke_invitation(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class AcceptInvitationView(GenericAPIView):
    """Join a family with an invitation token (sign up or log in first)."""

    serializer_class = AcceptInvitationSerializer
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "invitation"

    @extend_schema(responses={200: AcceptedInvitationSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.accept_invitation(
            user=request_user(request), token=serializer.validated_data["token"]
        )
        return Response(AcceptedInvitationSerializer(membership).data)


class InvitationPreviewView(GenericAPIView):
    """Which family an invitation link is for, and who sent it, before joining (anyone
    holding the link: the token is the secret)."""

    serializer_class = InvitationPreviewSerializer
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "invitation"

    @extend_schema(
        parameters=[OpenApiParameter("token", str, required=True)],
        responses={200: InvitationPreviewSerializer},
    )
    def get(self, request: Request) -> Response:
        query = AcceptInvitationSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        invitation = services.preview_invitation(query.validated_data["token"])
        return Response(InvitationPreviewSerializer(invitation).data)


class ChildViewSet(FamilyScopedViewSet):
    """The family's children."""

    queryset = Child.objects.select_related("photo")
    serializer_class = ChildSerializer
    child_field = "pk"
    sitter_actions = ("list", "retrieve")

    def perform_update(self, serializer: BaseSerializer[Child]) -> None:
        assert serializer.instance is not None
        before = serializer.instance.photo_id
        child = serializer.save()
        if child.photo_id != before:
            release([before])  # the old photo, unless something else shows it
