"""Account endpoints: signup, login, logout, me, password change and reset, CSRF."""

from __future__ import annotations

from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.middleware.csrf import get_token
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect, ensure_csrf_cookie
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from core import languages
from core.api import validation_error

from . import services
from .links import site_url
from .models import User
from .scoping import SIGNED_IN
from .serializers import (
    ConfirmPasswordSerializer,
    LoginSerializer,
    PasswordChangeSerializer,
    PasswordResetConfirmSerializer,
    PasswordResetSerializer,
    SignupSerializer,
    UserSerializer,
)
from .throttling import LoginAttempt, allow_reset_mail
from .users import request_user

DetailSerializer = inline_serializer("Detail", {"detail": serializers.CharField()})


def _form_errors(form, rename: dict[str, str] | None = None) -> DjangoValidationError:
    """A Django form's errors as one 400, with form field names mapped to API names."""
    rename = rename or {}
    errors: dict[str, list[str]] = {}
    for field, messages in form.errors.items():
        name = rename.get(field, "non_field_errors" if field == "__all__" else field)
        errors.setdefault(name, []).extend(messages)
    return DjangoValidationError(errors)


def _language_of(email: str) -> str:
    found = User.objects.filter(email__iexact=email).values_list("language", flat=True).first()
    return found or languages.current()


def _me(user: User) -> dict:
    user = User.objects.prefetch_related("memberships__family").get(pk=user.pk)
    return UserSerializer(user).data


@method_decorator(csrf_protect, name="dispatch")  # no session yet, so DRF would skip CSRF
class SignupView(GenericAPIView):
    """Create an account and sign in."""

    serializer_class = SignupSerializer
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(responses={201: UserSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.save()
        login(request._request, user, backend="django.contrib.auth.backends.ModelBackend")
        LoginAttempt.of(request, user.email).record_success()  # this address is known now
        return Response(_me(user), status=status.HTTP_201_CREATED)


@method_decorator(csrf_protect, name="dispatch")  # guards against login CSRF
class LoginView(GenericAPIView):
    """Sign in with e-mail and password. Failures lock out per (account, address), per
    address, and slow down an account's unknown addresses (``families/throttling.py``)."""

    serializer_class = LoginSerializer
    permission_classes = [AllowAny]

    # 429: throttled in the view itself, which core.schema cannot see (it adds the body).
    @extend_schema(
        responses={
            200: UserSerializer,
            429: OpenApiResponse(description="Too many failed logins (`throttled`)."),
        }
    )
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attempt = LoginAttempt.of(request, serializer.validated_data["email"])
        wait = attempt.wait()
        if wait is not None:
            raise Throttled(wait=wait)
        form = AuthenticationForm(
            request._request,
            data={
                "username": serializer.validated_data["email"].lower(),
                "password": serializer.validated_data["password"],
            },
        )
        if not form.is_valid():
            attempt.record_failure()
            raise validation_error("email", _("E-mail or password is not right."))
        attempt.record_success()
        login(request._request, form.get_user())
        return Response(_me(form.get_user()))


class LogoutView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(GenericAPIView):
    """The signed-in user: read, change the display name, delete the account."""

    serializer_class = UserSerializer
    permission_classes = SIGNED_IN
    device_actions = ("get",)  # a child's tablet learns what it is; nothing else

    def get(self, request: Request) -> Response:
        return Response(_me(request_user(request)))

    def patch(self, request: Request) -> Response:
        user = request_user(request)
        serializer = self.get_serializer(user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(_me(user))

    @extend_schema(
        request=ConfirmPasswordSerializer,
        responses={204: None},
        description="Deletes the account. Needs the current `password` in the body. A "
        "family whose only owner this is, with other members, is refused (400 naming "
        "`families`): hand ownership over first.",
    )
    def delete(self, request: Request) -> Response:
        user = request_user(request)
        confirm = ConfirmPasswordSerializer(data=request.data)
        confirm.is_valid(raise_exception=True)
        services.delete_account(user, password=confirm.validated_data["password"])
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(GenericAPIView):
    serializer_class = PasswordChangeSerializer
    permission_classes = SIGNED_IN
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(responses={200: DetailSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        form = PasswordChangeForm(
            request_user(request),
            data={
                "old_password": data["old_password"],
                "new_password1": data["new_password"],
                "new_password2": data["new_password"],
            },
        )
        if not form.is_valid():
            raise _form_errors(
                form, {"new_password1": "new_password", "new_password2": "new_password"}
            )
        form.save()
        update_session_auth_hash(request._request, form.user)  # keep this session signed in
        return Response({"detail": _("Password changed.")})


class PasswordResetView(GenericAPIView):
    """E-mail a reset link. Answers the same whether or not the address has an account,
    or the account has had its share of mails this hour (``password_reset_account``)."""

    serializer_class = PasswordResetSerializer
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "password_reset"

    @extend_schema(responses={200: DetailSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email = serializer.validated_data["email"]
        form = PasswordResetForm(data={"email": email})
        if form.is_valid() and allow_reset_mail(email):
            # The mail speaks the account holder's language, not the requesting browser's.
            with translation.override(_language_of(email)):
                form.save(
                    subject_template_name="families/password_reset_subject.txt",
                    email_template_name="families/password_reset_email.txt",
                    extra_email_context={"site_url": site_url(request._request)},
                    request=request._request,
                )
        return Response(
            {"detail": _("If that address has an account, a reset link is on its way.")}
        )


class PasswordResetConfirmView(GenericAPIView):
    serializer_class = PasswordResetConfirmSerializer
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "password_reset"

    @extend_schema(responses={200: DetailSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            user = User.objects.get(pk=force_str(urlsafe_base64_decode(data["uid"])))
        except (ValueError, TypeError, OverflowError, User.DoesNotExist):
            user = None
        if user is None or not default_token_generator.check_token(user, data["token"]):
            raise validation_error("token", _("This reset link is invalid or has expired."))
        form = SetPasswordForm(
            user,
            data={"new_password1": data["new_password"], "new_password2": data["new_password"]},
        )
        if not form.is_valid():
            raise _form_errors(
                form, {"new_password1": "new_password", "new_password2": "new_password"}
            )
        form.save()
        # Whoever holds the mailbox may sign in from here even during a flood of guesses.
        LoginAttempt.of(request, user.email).record_success()
        return Response({"detail": _("Password set. You can sign in now.")})


@method_decorator(ensure_csrf_cookie, name="get")
class CsrfView(APIView):
    """Sets the CSRF cookie; says whether a session is signed in (so the PWA can start
    without provoking a 403 from ``auth/me`` when nobody is)."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses={
            200: inline_serializer(
                "Csrf",
                {
                    "csrf_token": serializers.CharField(),
                    "authenticated": serializers.BooleanField(),
                },
            )
        }
    )
    def get(self, request: Request) -> Response:
        return Response(
            {
                "csrf_token": get_token(request._request),
                "authenticated": request.user.is_authenticated,
            }
        )
