"""Who is asking: their school and role, checked by every view.

A view declares the roles it serves and the methods it answers; anyone
else gets 403 (signed in) or the sign-in page (not signed in), and another
method 405. A pupil, item or letter of another school is 404: its
existence is not revealed.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from attendwise.web.register.models import School
from attendwise.web.ui.models import AuditEntry, StaffMember
from attendwise.web.ui.roles import CASEWORK, Role, sees_safeguarding

View = Callable[..., HttpResponseBase]


@dataclass(frozen=True)
class Staff:
    user: User
    school: School
    role: Role

    @property
    def safeguarding(self) -> bool:
        return sees_safeguarding(self.role)


def staff_of(request: HttpRequest) -> Staff | None:
    """Return the signed-in member of staff, or None (no role at any school)."""
    if hasattr(request, "_staff"):
        cached: Staff | None = request._staff
        return cached
    staff = None
    # A request refused before the authentication middleware ran (a bad
    # host: the 400 page) has no user.
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        assert isinstance(user, User)
        staff = staff_member(user)
    request._staff = staff  # type: ignore[attr-defined]
    return staff


def staff_member(user: User) -> Staff | None:
    """Return the user's school and role, or None (no role at any school)."""
    member = StaffMember.objects.select_related("school").filter(user=user).first()
    if member is None:
        return None
    return Staff(user, member.school, Role(member.role))


def first_page(staff: Staff | None) -> str:
    """Return the URL name of the page a person starts on.

    Casework roles start on the worklist, read-only and admin on the
    dashboard. Someone with no role at a school goes to the worklist,
    which tells them so.
    """
    if staff is not None and staff.role not in CASEWORK:
        return "ui:dashboard"
    return "ui:worklist"


def today() -> dt.date:
    """Return the day the application works on: today in Europe/London.

    The setting TODAY (ATTENDWISE_TODAY) fixes it, for the demo and tests.
    """
    if settings.TODAY:
        return dt.date.fromisoformat(settings.TODAY)
    return timezone.localdate()


def refused(request: HttpRequest, staff: Staff | None) -> HttpResponse:
    return render(
        request,
        "ui/refused.html",
        {"title": "You cannot open this page", "staff": staff},
        status=403,
    )


def allow(
    roles: Collection[Role], methods: Collection[str] = ("GET",)
) -> Callable[[View], View]:
    """Return a decorator: the view serves `roles` with `methods` only."""
    allowed = sorted({*methods, "HEAD"} if "GET" in methods else set(methods))

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(
            request: HttpRequest, *args: Any, **kwargs: Any
        ) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.method not in allowed:
                return HttpResponseNotAllowed(allowed)
            staff = staff_of(request)
            if staff is None or staff.role not in roles:
                return refused(request, staff)
            return view(request, staff, *args, **kwargs)

        return wrapped

    return decorate


def audit(
    staff: Staff,
    request: HttpRequest | str,
    action: str,
    summary: str,
    pupil_id: int | None = None,
    *,
    safeguarding: bool = False,
) -> None:
    """Record that `staff` viewed or changed something (the business audit).

    `safeguarding` marks an entry about a Stage 4 record (a safeguarding
    item, its letters, the concern): the audit shows what it was to the
    safeguarding lead only, and to anyone else only that it was opened or
    changed.

    `request` is the page's request, or (a command) where it was done.
    """
    path = request if isinstance(request, str) else request.path
    AuditEntry.objects.create(
        school=staff.school,
        pupil_id=pupil_id,
        user=staff.user,
        at=timezone.now(),
        action=action,
        summary=summary[:300],
        path=path[:300],
        safeguarding=safeguarding,
    )
