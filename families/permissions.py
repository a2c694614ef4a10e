"""The permission every signed-in view checks, part of the scoping (``families.scoping``).

Its own module because DRF imports the default permission classes while
``rest_framework.views`` itself is being imported: this one needs only
``rest_framework.permissions``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions
from rest_framework.request import Request


def action_of(request: Request, view: Any) -> str:
    """The viewset action, or the HTTP method in lower case for a plain view."""
    return getattr(view, "action", None) or (request.method or "").lower()


class DevicesOnlyWhereAllowed(permissions.BasePermission):
    """A child device may call a view only for what it lists in ``device_actions``
    (viewset actions, or HTTP methods in lower case); 403 everywhere else."""

    message = _("A child's tablet can't do that.")

    def has_permission(self, request: Request, view: Any) -> bool:
        if not getattr(request.user, "is_device", False):
            return True
        return action_of(request, view) in getattr(view, "device_actions", ())


# What every signed-in view checks (the default permissions, and views listing their own).
SIGNED_IN: list[type[permissions.BasePermission]] = [
    permissions.IsAuthenticated,
    DevicesOnlyWhereAllowed,
]
