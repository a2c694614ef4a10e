"""The one family-scoping mechanism every family-scoped endpoint uses.

Every resource under ``/api/v1/families/{family_id}/`` goes through
:class:`FamilyScopedMixin`: it resolves the caller's membership once per request, answers
404 to anyone who is not a member (another family's objects do not exist for them), and
filters querysets and stamps new objects with the family. Owner-only actions are listed
in ``owner_actions`` and answer 403 to caregivers.

The same mechanism narrows it per child: a member limited to some children (and every
sitter) sees only objects of those children (``child_field``), others are 404 as another
family's are; a sitter may do only what a view lists in ``sitter_actions`` (403 otherwise)
and only within the pass's window; ``whole_family_only`` views (the export) refuse members
who do not see every child. A child device (``families.devices``) may call only what a view
lists in ``device_actions``, on any view (:class:`DevicesOnlyWhereAllowed`, in the
default permissions too), and sees only its children. Ids in a request body are checked by
:class:`FamilyRelatedField` against the same family (and the same children). Where no
family is in the URL, :func:`families_of` (and :class:`MyFamilyField` for an id in a body)
is the caller's own.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NoReturn

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.relations import MANY_RELATION_KWARGS
from rest_framework.request import Request

from core.ids import parse_id
from core.prepared import PreparedQuery

from . import devices, sitters
from .media import visible_media
from .models import Child, Family, Media, MediaKind, Membership
from .permissions import SIGNED_IN, action_of
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

    message = gettext_lazy("Only an owner of this family can do that.")

    def has_permission(self, request: Request, view: Any) -> bool:
        if getattr(view, "action", None) in getattr(view, "owner_actions", ()):
            return view.membership.is_owner
        return True


class MayActHere(permissions.BasePermission):
    """Sitters only where the view allows them (``sitter_actions``); whole-family features
    only for members who see every child."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if view.family_url_kwarg not in view.kwargs:
            return True
        membership = view.membership
        if membership.is_sitter and action_of(request, view) not in view.sitter_actions:
            raise PermissionDenied(_("A sitter can't do that here."))
        if membership.limited and view.whole_family_only:
            raise PermissionDenied(_("Only members who see every child can do that."))
        return True


# The one query of every family-scoped request, compiled once per connection; (user,
# family) is unique, so its first row is the only one.
_MEMBERSHIP = PreparedQuery(
    Membership,
    lambda user, family: Membership.objects.select_related(
        "family", "sitter_pass", "child_device"
    ).filter(user_id=user, family_id=family),
    "user",
    "family",
)


class FamilyScopedMixin(_ScopedView):
    """Mix into any DRF view whose URL carries ``family_id``."""

    family_url_kwarg = "family_id"
    # The lookup from the view's model to its family, e.g. "routine__family" for a run.
    family_field = "family"
    # The lookup from the view's model to the child it is about ("child"; "children" for a
    # routine; "pk" for a child itself); None when its objects are not about one child.
    child_field: str | None = None
    owner_actions: tuple[str, ...] = ()
    # What a sitter may do (viewset actions, or HTTP methods in lower case).
    sitter_actions: tuple[str, ...] = ()
    # What a child device may do (as ``sitter_actions``); nothing unless a view says so.
    device_actions: tuple[str, ...] = ()
    whole_family_only = False
    permission_classes = [
        *SIGNED_IN,
        IsFamilyMember,
        MayActHere,
        IsFamilyOwnerForOwnerActions,
    ]

    @property
    def membership(self) -> Membership:
        """The caller's membership of the family in the URL (cached for the request).

        A sitter's is refused (403, saying why) outside its pass's window or once revoked,
        checked on every request: revoking ends every session of the pass at once.
        """
        cached = getattr(self, "_membership", None)
        if cached is None:
            family_id = self.kwargs.get(self.family_url_kwarg)
            found = _MEMBERSHIP.first(user=request_user(self.request).pk, family=family_id)
            if found is None:
                raise NotFound(_("No such family."))
            cached = found
            if cached.sitter_pass is not None:
                why = sitters.refusal(cached.sitter_pass, cached.family)
                if why:
                    raise sitters.PassRefused(why)
            if cached.child_device is not None:
                if cached.child_device.revoked_at is not None:  # revoke() also signs it out
                    raise NotFound("No such family.")
                devices.seen(cached.child_device)
            self._membership = cached
        return cached

    @property
    def visible_child_ids(self) -> frozenset[int] | None:
        """The children the caller may see, or None for all of the family's."""
        if not hasattr(self, "_visible_child_ids"):
            membership = self.membership
            self._visible_child_ids = (
                frozenset(membership.children.values_list("id", flat=True))
                if membership.limited
                else None
            )
        return self._visible_child_ids

    def visible_children(self) -> QuerySet[Child]:
        """The family's children the caller may see (a child in the URL is looked up here,
        so another child is 404 as another family's is)."""
        children = Child.objects.filter(family=self.family)
        if self.visible_child_ids is not None:
            children = children.filter(pk__in=self.visible_child_ids)
        return children

    def child_filter(self, child_ids: frozenset[int]) -> Q:
        """Which of the family's objects a member limited to ``child_ids`` sees."""
        assert self.child_field is not None
        return Q(**{f"{self.child_field}__in": child_ids})

    @property
    def family(self) -> Family:
        return self.membership.family

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):  # schema generation has no request
            return queryset.none()
        queryset = queryset.filter(**{self.family_field: self.family})
        child_ids = self.visible_child_ids
        if child_ids is not None and self.child_field is not None:
            queryset = queryset.filter(self.child_filter(child_ids))
            if "__" in self.child_field or self.child_field == "children":
                queryset = queryset.distinct()  # a to-many lookup repeats rows
        return queryset

    def get_serializer_context(self) -> Mapping[str, Any]:
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        return {
            **context,
            "family": self.family,
            "membership": self.membership,
            "visible_child_ids": self.visible_child_ids,
        }

    def perform_create(self, serializer: Any) -> None:
        serializer.save(family=self.family)


class FamilyScopedViewSet(FamilyScopedMixin, viewsets.ModelViewSet):
    """A model viewset whose objects all belong to the family in the URL."""

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]


# The longest list of ids a body may hold (``max_length=`` on a field changes it).
MAX_IDS = 200


def _checked_id(field: serializers.PrimaryKeyRelatedField, data: Any) -> int:
    """``data`` as an id the database can hold, before any query: a number of another
    type is ``incorrect_type``; one out of range does not exist (``does_not_exist``)."""
    pk = parse_id(data)
    if pk is not None:
        return pk
    if isinstance(data, int) and not isinstance(data, bool):
        field.fail("does_not_exist", pk_value=data)
    if isinstance(data, str) and data.lstrip("-").isdigit():
        field.fail("does_not_exist", pk_value=data)
    field.fail("incorrect_type", data_type=type(data).__name__)


class FamilyRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key that must belong to the family in the URL (else a 400 naming the
    field): the objects are ``queryset`` filtered by ``family``, or ``scope(family)``.

    With ``many=True`` it is a :class:`FamilyRelatedListField`: at most ``max_length``
    ids (``MAX_IDS``), no repeats, all fetched in one query.
    """

    default_error_messages = {
        "does_not_exist": gettext_lazy("No such {noun} in this family."),
        "incorrect_type": gettext_lazy("Give the {noun}'s id (a number)."),
    }

    def __init__(
        self,
        *,
        noun: str,
        scope: Callable[[Family], QuerySet] | None = None,
        child_field: str | None = None,
        shared_children: bool = False,
        prepared: PreparedQuery | None = None,
        **kwargs: Any,
    ) -> None:
        self.noun = noun
        self.scope = scope
        # As the view's: the lookup to the child (a Child's is "pk" without saying so).
        self.child_field = child_field
        # A child id checked against the family's children cached by board version
        # (``family_children``), without a query; the Child given back is shared by the
        # process's requests, so a caller may read only its pk and family_id.
        self.shared_children = shared_children
        # The same objects as ``scope``/``queryset`` give, looked up by ``pk`` and
        # ``family`` with SQL compiled once per connection (no child restriction).
        self.prepared = prepared
        super().__init__(**kwargs)

    queryset: QuerySet[Any]  # always given: every use passes a model's objects.all()
    # Set by DRF's Field.__new__ (to copy a field); missing from the stubs.
    _args: tuple[Any, ...]
    _kwargs: dict[str, Any]

    @classmethod
    def many_init(cls, *args: Any, **kwargs: Any) -> FamilyRelatedListField:
        max_length = kwargs.pop("max_length", MAX_IDS)
        list_kwargs = {k: v for k, v in kwargs.items() if k in MANY_RELATION_KWARGS}
        return FamilyRelatedListField(
            child_relation=cls(*args, **kwargs), max_length=max_length, **list_kwargs
        )

    def fail(self, key: str, **kwargs: Any) -> NoReturn:
        super().fail(key, noun=self.noun, **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        pk = _checked_id(self, data)
        family = self.context.get("family")
        membership = self.context.get("membership")
        if (
            self.shared_children
            and family is not None
            and not getattr(membership, "is_device", True)
        ):
            child = family_children(family.pk, family.board_version).get(pk)
            visible = self.context.get("visible_child_ids")
            if child is None or (visible is not None and pk not in visible):
                self.fail("does_not_exist", pk_value=pk)
            return child
        restricted = self.child_field is not None or self.queryset.model is Child
        if self.prepared is not None and family is not None and not restricted:
            found = self.prepared.first(pk=pk, family=family.pk)
            if found is None:
                self.fail("does_not_exist", pk_value=pk)
            return found
        return super().to_internal_value(pk)

    def __deepcopy__(self, memo: dict) -> FamilyRelatedField:
        # As DRF copies a field, but sharing the queryset (filter() never changes it) and
        # the prepared query (compiled once for every copy).
        shared = {k: v for k, v in self._kwargs.items() if k in ("queryset", "prepared")}
        kwargs = {k: v for k, v in self._kwargs.items() if k not in shared}
        return self.__class__(*self._args, **copy.deepcopy(kwargs, memo), **shared)

    def get_queryset(self) -> QuerySet:
        family = self.context.get("family")
        if family is None:  # schema generation
            return self.queryset.none()
        queryset = (
            self.scope(family) if self.scope is not None else self.queryset.filter(family=family)
        )
        child_field = self.child_field or ("pk" if queryset.model is Child else None)
        child_ids = self.context.get("visible_child_ids")
        if child_ids is not None and child_field is not None:
            # Another child's id is refused as another family's is.
            queryset = queryset.filter(**{f"{child_field}__in": child_ids}).distinct()
        return queryset


@lru_cache(maxsize=4096)
def family_children(family_id: int, board_version: int) -> Mapping[int, Child]:
    """A family's children by id, kept per process for one board version: saving or
    deleting a child sets a new version in its own transaction, so a hit is never stale
    (the version arrives with the caller's membership, as the Today board's does)."""
    return {
        child.pk: child
        for child in Child.objects.filter(family_id=family_id).only("id", "family_id")
    }


class FamilyMediaField(FamilyRelatedField):
    """The id of one of the family's media of ``kind`` (a step's ``photo``, a child's),
    which the caller may see (``media.visible_media``); anything else is a 400 naming the
    field, a media of the other kind too."""

    default_error_messages = {
        "wrong_kind": "This is not {a_kind}; upload one with kind={kind}.",
    }

    def __init__(self, *, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        kwargs.setdefault("queryset", Media.objects.all())
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("noun", "photo" if kind == MediaKind.IMAGE else "recording")
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        child_ids = self.context.get("visible_child_ids")
        if child_ids is not None:
            membership = self.context.get("membership")
            user_id = membership.user_id if membership is not None else None
            queryset = queryset.filter(visible_media(child_ids, user_id)).distinct()
        return queryset

    def to_internal_value(self, data: Any) -> Any:
        media = super().to_internal_value(data)
        if media.kind != self.kind:
            a_kind = "a photo" if self.kind == MediaKind.IMAGE else "a recording"
            self.fail("wrong_kind", a_kind=a_kind, kind=self.kind)
        return media


class FamilyRelatedListField(serializers.ManyRelatedField):
    """Ids of a family's objects (``FamilyRelatedField(many=True)``), checked at a fixed cost.

    Checking each id with its own query let ``[1, 1, …]`` × 30,000 take 26 s. Here the list
    is at most ``max_length`` long, every id is a number in range, a repeated id is refused
    (a 400 naming the field), and all are looked up in one ``pk__in`` query.
    """

    default_error_messages = {
        "max_length": gettext_lazy("Give at most {max_length} ids."),
        "duplicate": gettext_lazy("Each {noun} may be listed only once."),
    }
    child_relation: FamilyRelatedField

    def __init__(self, *, max_length: int = MAX_IDS, **kwargs: Any) -> None:
        self.max_length = max_length
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> list[Any]:
        if isinstance(data, str | Mapping) or not hasattr(data, "__iter__"):
            self.fail("not_a_list", input_type=type(data).__name__)
        items = list(data)
        if not self.allow_empty and not items:
            self.fail("empty")
        if len(items) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        child = self.child_relation
        ids = [_checked_id(child, item) for item in items]
        if len(set(ids)) != len(ids):
            self.fail("duplicate", noun=child.noun)
        found = {obj.pk: obj for obj in child.get_queryset().filter(pk__in=ids)}
        for pk in ids:
            if pk not in found:
                child.fail("does_not_exist", pk_value=pk)
        return [found[pk] for pk in ids]


def families_of(user: Any) -> QuerySet[Family]:
    """The families ``user`` is a member of."""
    return Family.objects.filter(memberships__user=user.pk)


@extend_schema_field(OpenApiTypes.INT)
class MyFamilyField(serializers.PrimaryKeyRelatedField):
    """A family id in a request body whose URL names no family: one of the caller's own
    families (else a 400 naming the field)."""

    default_error_messages = {
        "does_not_exist": gettext_lazy("You are not a member of this family."),
        "incorrect_type": gettext_lazy("Give the family's id (a number)."),
    }

    def to_internal_value(self, data: Any) -> Family:
        return super().to_internal_value(_checked_id(self, data))

    def get_queryset(self) -> QuerySet[Family]:
        request = self.context.get("request")
        if request is None:  # schema generation
            return Family.objects.none()
        return families_of(request.user)
