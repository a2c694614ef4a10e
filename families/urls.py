"""Routes of the families app: top-level ones and those under ``families/{family_id}/``."""

from django.urls import path

from core.ids import Router  # ids in range: <id:pk>

from . import (
    views,
    views_auth,
    views_away,
    views_devices,
    views_export,
    views_import,
    views_media,
    views_pin,
    views_sitters,
)

auth_urlpatterns = [
    path("signup/", views_auth.SignupView.as_view(), name="auth-signup"),
    path("login/", views_auth.LoginView.as_view(), name="auth-login"),
    path("logout/", views_auth.LogoutView.as_view(), name="auth-logout"),
    path("me/", views_auth.MeView.as_view(), name="auth-me"),
    path("csrf/", views_auth.CsrfView.as_view(), name="auth-csrf"),
    path("password/change/", views_auth.PasswordChangeView.as_view(), name="password-change"),
    path("password/reset/", views_auth.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password/reset/confirm/",
        views_auth.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
]

router = Router()
router.register("families", views.FamilyViewSet, basename="family")

urlpatterns = [
    path("families/import/", views_import.FamilyImportView.as_view(), name="family-import"),
    *router.urls,
    path("invitations/accept/", views.AcceptInvitationView.as_view(), name="invitation-accept"),
    path(
        "invitations/preview/",
        views.InvitationPreviewView.as_view(),
        name="invitation-preview",
    ),
    path(
        "sitter-passes/redeem/", views_sitters.RedeemPassView.as_view(), name="sitter-pass-redeem"
    ),
    path("child-devices/pair/", views_devices.PairDeviceView.as_view(), name="child-device-pair"),
]

family_router = Router()
family_router.register("members", views.MemberViewSet, basename="member")
family_router.register("invitations", views.InvitationViewSet, basename="invitation")
family_router.register("children", views.ChildViewSet, basename="child")
family_router.register("sitter-passes", views_sitters.SitterPassViewSet, basename="sitter-pass")
family_router.register("away", views_away.AwayViewSet, basename="away")
family_router.register("child-devices", views_devices.ChildDeviceViewSet, basename="child-device")
family_urlpatterns = [
    *family_router.urls,
    path("export/", views_export.FamilyExportView.as_view(), name="family-export"),
    path(
        "pin/",
        views_pin.FamilyPinViewSet.as_view({"put": "update", "delete": "destroy"}),
        name="family-pin",
    ),
    path(
        "pin/check/",
        views_pin.FamilyPinViewSet.as_view({"post": "check"}),
        name="family-pin-check",
    ),
    path("children/<id:child_id>/away/", views_away.ChildAwayView.as_view(), name="child-away"),
    path("media/", views_media.MediaViewSet.as_view({"post": "create"}), name="media-list"),
    path(
        "media/<id:pk>/",
        views_media.MediaViewSet.as_view({"get": "retrieve", "delete": "destroy"}),
        name="media-detail",
    ),
    # No trailing slash: the name ends in the file's extension.
    path(
        "media/<id:pk>/<str:name>",
        views_media.MediaViewSet.as_view({"get": "file"}),
        name="media-file",
    ),
]
