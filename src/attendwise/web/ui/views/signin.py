"""Signing in and out, with throttling of repeated failures.

After SIGN_IN_FAILURES_ALLOWED failures for one name (or four times that
from one address) within SIGN_IN_WINDOW_SECONDS, further attempts are
refused without checking the password until the window has passed. The
name is stored only as a digest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from attendwise.web.ui.access import first_page, staff_of
from attendwise.web.ui.models import SignInFailure

log = logging.getLogger(__name__)

TOO_MANY = (
    "Too many attempts to sign in. Wait 15 minutes, then try again, or ask "
    "your administrator to reset your password."
)


def _digest(username: str) -> str:
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()


def _address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


def throttled(username: str, address: str, now: dt.datetime) -> bool:
    """Return whether sign-in for `username` from `address` must wait."""
    since = now - dt.timedelta(seconds=settings.SIGN_IN_WINDOW_SECONDS)
    recent = SignInFailure.objects.filter(at__gte=since)
    allowed = settings.SIGN_IN_FAILURES_ALLOWED
    if recent.filter(username_digest=_digest(username)).count() >= allowed:
        return True
    return bool(address) and recent.filter(address=address).count() >= 4 * allowed


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password.",
        "inactive": "This account is inactive.",
    }


@sensitive_post_parameters("password")
@csrf_protect
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    form = SignInForm(request, data=request.POST or None)
    context: dict[str, Any] = {"title": "Sign in", "form": form, "next": next_url}
    if request.method != "POST":
        return render(request, "ui/sign_in.html", context)

    now = timezone.now()
    username = str(request.POST.get("username", ""))
    address = _address(request)
    if throttled(username, address, now):
        log.warning("sign-in throttled")
        context["throttled"] = TOO_MANY
        return render(request, "ui/sign_in.html", context, status=429)
    if not form.is_valid():
        SignInFailure.objects.create(
            at=now, username_digest=_digest(username), address=address
        )
        log.info("sign-in failed")
        return render(request, "ui/sign_in.html", context, status=200)
    SignInFailure.objects.filter(username_digest=_digest(username)).delete()
    login(request, form.get_user())
    return redirect(next_url or first_page(staff_of(request)))


def sign_out(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)
