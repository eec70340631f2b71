"""What every page's layout needs: who is signed in and the navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from attendwise.web.ui.access import staff_of
from attendwise.web.ui.roles import (
    AUDIT_READERS,
    CASEWORK,
    EVERYONE,
    PUPIL_READERS,
    Role,
)

#: (label, url name, roles that see it)
NAVIGATION: tuple[tuple[str, str, frozenset[Role]], ...] = (
    ("Worklist", "ui:worklist", CASEWORK),
    ("Pupils", "ui:pupils", PUPIL_READERS),
    ("Letters", "ui:letters", CASEWORK | {Role.ADMIN}),
    ("Import", "ui:import", frozenset({Role.OFFICER, Role.ADMIN})),
    ("Dashboard", "ui:dashboard", EVERYONE),
    ("Policy", "ui:policy", EVERYONE),
    ("Audit", "ui:audit", AUDIT_READERS),
)


def staff(request: HttpRequest) -> dict[str, Any]:
    member = staff_of(request)
    if member is None:
        return {"staff": None, "navigation": []}
    path = request.path
    items = []
    for label, name, roles in NAVIGATION:
        if member.role not in roles:
            continue
        url = reverse(name)
        current = path == url or (url != "/" and path.startswith(url))
        items.append({"label": label, "url": url, "current": current})
    return {"staff": member, "navigation": items}
