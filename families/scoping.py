"""The one family-scoping mechanism every family-scoped endpoint uses.

Every resource under ``/api/v1/families/{family_id}/`` goes through
:class:`FamilyScopedMixin`: it resolves the caller's membership once per request, answers
404 to anyone who is not a member (another family's objects do not exist for them), and
filters querysets and stamps new objects with the family. Owner-only actions are listed
in ``owner_actions`` and answer 403 to caregivers. Ids in a request body are checked
by :class:`FamilyRelatedField` against the same family. Where no family is in the URL,
:func:`families_of` (and :class:`MyFamilyField` for an id in a body) is the caller's own.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NoReturn

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request

from .models import Family, Membership
from .users import request_user

if TYPE_CHECKING:  # the views it is mixed into: their request, kwargs, get_queryset...
    _ScopedView = GenericAPIView[Any]
else:
    _ScopedView = object


class IsFamilyMember(permissions.BasePermission):
    """Members pass; everyone else gets 404, as if the family did not exist."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if view.family_url_kwarg not in view.kwargs:  # e.g. the list of my families
            return True
        return view.membership is not None  # resolving raises NotFound for non-members


class IsFamilyOwnerForOwnerActions(permissions.BasePermission):
    """Owner-only actions (``view.owner_actions``) answer 403 to caregivers."""

    message = "Only an owner of this family can do that."

    def has_permission(self, request: Request, view: Any) -> bool:
        if getattr(view, "action", None) in getattr(view, "owner_actions", ()):
            return view.membership.is_owner
        return True


class FamilyScopedMixin(_ScopedView):
    """Mix into any DRF view whose URL carries ``family_id``."""

    family_url_kwarg = "family_id"
    # The lookup from the view's model to its family, e.g. "routine__family" for a run.
    family_field = "family"
    owner_actions: tuple[str, ...] = ()
    permission_classes = [
        permissions.IsAuthenticated,
        IsFamilyMember,
        IsFamilyOwnerForOwnerActions,
    ]

    @property
    def membership(self) -> Membership:
        """The caller's membership of the family in the URL (cached for the request)."""
        cached = getattr(self, "_membership", None)
        if cached is None:
            family_id = self.kwargs.get(self.family_url_kwarg)
            try:  # get(), not first(): (user, family) is unique, so no ORDER BY is needed
                cached = Membership.objects.select_related("family").get(
                    user_id=request_user(self.request).pk, family_id=family_id
                )
            except Membership.DoesNotExist:
                raise NotFound("No such family.") from None
            self._membership = cached
        return cached

    @property
    def family(self) -> Family:
        return self.membership.family

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):  # schema generation has no request
            return queryset.none()
        return queryset.filter(**{self.family_field: self.family})

    def get_serializer_context(self) -> Mapping[str, Any]:
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        return {**context, "family": self.family, "membership": self.membership}

    def perform_create(self, serializer: Any) -> None:
        serializer.save(family=self.family)


class FamilyScopedViewSet(FamilyScopedMixin, viewsets.ModelViewSet):
    """A model viewset whose objects all belong to the family in the URL."""

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]


class FamilyRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key that must belong to the family in the URL (else a 400 naming the
    field): the objects are ``queryset`` filtered by ``family``, or ``scope(family)``."""

    default_error_messages = {
        "does_not_exist": "No such {noun} in this family.",
        "incorrect_type": "Give the {noun}'s id (a number).",
    }

    def __init__(
        self, *, noun: str, scope: Callable[[Family], QuerySet] | None = None, **kwargs: Any
    ) -> None:
        self.noun = noun
        self.scope = scope
        super().__init__(**kwargs)

    queryset: QuerySet[Any]  # always given: every use passes a model's objects.all()
    # Set by DRF's Field.__new__ (to copy a field); missing from the stubs.
    _args: tuple[Any, ...]
    _kwargs: dict[str, Any]

    def fail(self, key: str, **kwargs: Any) -> NoReturn:
        super().fail(key, noun=self.noun, **kwargs)

    def __deepcopy__(self, memo: dict) -> FamilyRelatedField:
        # As DRF copies a field, but sharing the queryset: filter() never changes it.
        shared = {k: v for k, v in self._kwargs.items() if k == "queryset"}
        kwargs = {k: v for k, v in self._kwargs.items() if k != "queryset"}
        return self.__class__(*self._args, **copy.deepcopy(kwargs, memo), **shared)

    def get_queryset(self) -> QuerySet:
        family = self.context.get("family")
        if family is None:  # schema generation
            return self.queryset.none()
        if self.scope is not None:
            return self.scope(family)
        return self.queryset.filter(family=family)


def families_of(user: Any) -> QuerySet[Family]:
    """The families ``user`` is a member of."""
    return Family.objects.filter(memberships__user=user.pk)


@extend_schema_field(OpenApiTypes.INT)
class MyFamilyField(serializers.PrimaryKeyRelatedField):
    """A family id in a request body whose URL names no family: one of the caller's own
    families (else a 400 naming the field)."""

    default_error_messages = {
        "does_not_exist": "You are not a member of this family.",
        "incorrect_type": "Give the family's id (a number).",
    }

    def get_queryset(self) -> QuerySet[Family]:
        request = self.context.get("request")
        if request is None:  # schema generation
            return Family.objects.none()
        return families_of(request.user)
