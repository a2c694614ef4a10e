"""The family PIN that gets a grown-up out of the child view (rules in ``pin.py``)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from . import pin
from .scoping import FamilyScopedMixin
from .serializers import PinSerializer
from .users import request_user


class FamilyPinViewSet(FamilyScopedMixin, viewsets.GenericViewSet):
    """Owners set (PUT) or clear (DELETE) the PIN; any member's device checks one (POST
    ``check/``). The family detail says ``has_pin``."""

    serializer_class = PinSerializer
    owner_actions = ("update", "destroy")
    sitter_actions = ("check",)
    device_actions = ("check",)  # a tablet's grown-up leaves the child view with it

    def _pin(self, request: Request) -> str:
        body = PinSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return str(body.validated_data["pin"])

    @extend_schema(
        request=PinSerializer,
        responses={204: None},
        description="Sets the family PIN (owners): 4 to 8 digits, stored hashed.",
    )
    def update(self, request: Request, **kwargs: object) -> Response:
        pin.set_pin(self.family, self._pin(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={204: None}, description="Clears the family PIN (owners).")
    def destroy(self, request: Request, **kwargs: object) -> Response:
        pin.clear_pin(self.family)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=PinSerializer,
        responses={
            204: OpenApiResponse(
                description="The right PIN (or the family has none): the device may leave."
            ),
        },
        description="Checks a PIN typed on a device to leave the child view: 400 naming "
        "`pin` when wrong; wrong tries in a row slow down (429 with Retry-After).",
    )
    def check(self, request: Request, **kwargs: object) -> Response:
        pin.check_pin(self.family, request_user(request).pk, self._pin(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
