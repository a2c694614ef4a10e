"""Child devices: owners set one up (a pairing code and its QR), list and revoke them; a
tablet pairs with the code and is signed in as that device."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import login
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from . import devices
from .links import site_url
from .models import Child, ChildDevice
from .scoping import FamilyRelatedField, FamilyScopedMixin
from .serializers import DeviceChildSerializer, FamilyRefSerializer

# A tablet stays paired until an owner removes it; a year of not being used signs it out.
DEVICE_SESSION = timedelta(days=365)


class ChildDeviceSerializer(serializers.ModelSerializer):
    children = FamilyRelatedField(noun="child", queryset=Child.objects.all(), many=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = ChildDevice
        fields = [
            "id",
            "name",
            "children",
            "status",
            "created_at",
            "code_expires_at",
            "paired_at",
            "last_seen_at",
        ]
        read_only_fields = [
            "id",
            "status",
            "created_at",
            "code_expires_at",
            "paired_at",
            "last_seen_at",
        ]
        extra_kwargs = {"name": {"max_length": 60}}

    def get_status(self, device: ChildDevice) -> str:
        return device.status()


class IssuedDeviceSerializer(ChildDeviceSerializer):
    """The answer to setting up a device: the only place its pairing code is shown."""

    pairing_code = serializers.CharField(help_text="8 characters, valid 10 minutes, once.")
    expires_at = serializers.DateTimeField()
    pair_url = serializers.CharField(help_text="The link the QR code holds.")
    qr_svg = serializers.CharField(help_text="The link as a QR code (an SVG document).")

    class Meta(ChildDeviceSerializer.Meta):
        fields = [*ChildDeviceSerializer.Meta.fields, "pairing_code", "expires_at", "pair_url",
                  "qr_svg"]  # fmt: skip

    def to_representation(self, instance: Any) -> dict[str, Any]:
        issued: devices.IssuedDevice = instance
        data = ChildDeviceSerializer(issued.device, context=self.context).data
        return {
            **data,
            "pairing_code": issued.code,
            "expires_at": data["code_expires_at"],
            "pair_url": issued.pair_url,
            "qr_svg": issued.qr_svg,
        }


class ChildDeviceViewSet(
    FamilyScopedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A family's child devices (owners): set one up for children, list, remove (its
    session ends at its next request)."""

    queryset = ChildDevice.objects.filter(revoked_at__isnull=True).prefetch_related("children")
    serializer_class = ChildDeviceSerializer
    owner_actions = ("list", "create", "destroy")
    pagination_class = None  # a family has a handful of tablets

    @extend_schema(responses={201: IssuedDeviceSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        issued = devices.create_device(
            membership=self.membership,
            name=serializer.validated_data["name"],
            children=serializer.validated_data["children"],
            site_url=site_url(request._request),
        )
        return Response(IssuedDeviceSerializer(issued).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: ChildDevice) -> None:
        devices.revoke(instance)


class PairSerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=32, help_text="The 8 characters the owner's phone shows."
    )


class PairedDeviceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    family = FamilyRefSerializer()
    children = DeviceChildSerializer(many=True)


class PairDeviceView(GenericAPIView):
    """Pair this browser as a child device with its code: it is signed in as the device
    from now on. A wrong, expired or used code is a 400 naming ``code``."""

    serializer_class = PairSerializer
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "device_pair"

    @extend_schema(responses={200: PairedDeviceSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = devices.pair(code=serializer.validated_data["code"])
        device = membership.child_device
        assert device is not None  # a device membership always has its device
        login(
            request._request, membership.user, backend="django.contrib.auth.backends.ModelBackend"
        )
        request.session.set_expiry(DEVICE_SESSION)
        return Response(
            PairedDeviceSerializer(
                {
                    "id": device.pk,
                    "name": device.name,
                    "family": {"id": device.family_id, "name": device.family.name},
                    "children": list(device.children.all()),
                }
            ).data
        )
