"""Who may do what in the web application.

A member of staff has one role at one school. The policy's own roles
(`cfsw`, `attendance`, `head`, `safeguarding`) name who a worklist item is
for; the web roles below decide which pages a person may open and which
items they may complete.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OFFICER = "officer"
    HEAD = "head"
    SAFEGUARDING = "safeguarding"
    READ_ONLY = "read-only"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS: dict[Role, str] = {
    Role.OFFICER: "Attendance officer or Child and Family Support Worker",
    Role.HEAD: "Head of academy",
    Role.SAFEGUARDING: "Designated safeguarding lead",
    Role.READ_ONLY: "Read-only (trust or governor): figures only",
    Role.ADMIN: "Administrator",
}

#: Roles that work with pupils' records (names, timelines, letters).
CASEWORK = frozenset({Role.OFFICER, Role.HEAD, Role.SAFEGUARDING})
#: Roles that may open a pupil's page.
PUPIL_READERS = CASEWORK | {Role.ADMIN}
#: Roles that set a contact's court-order bar and correspondence: whoever
#: may open the pupil's page. The head is among them (a court order may
#: reach the head first); read-only never is.
CONTACT_EDITORS = CASEWORK | {Role.ADMIN}
#: Roles that read the audit: the safeguarding lead also reads what its
#: safeguarding entries were.
AUDIT_READERS = frozenset({Role.ADMIN, Role.SAFEGUARDING})
#: Every role: aggregate figures and the policy carry no personal data.
EVERYONE = frozenset(Role)

#: The policy roles whose items each web role completes.
COMPLETES: dict[Role, frozenset[str]] = {
    Role.OFFICER: frozenset({"attendance", "cfsw"}),
    Role.HEAD: frozenset({"attendance", "cfsw", "head"}),
    Role.SAFEGUARDING: frozenset({"attendance", "cfsw", "head", "safeguarding"}),
}


def may_complete(role: Role, task_role: str, safeguarding: bool) -> bool:
    """Return whether `role` may complete an item for the policy's `task_role`.

    Safeguarding items are the safeguarding lead's alone, whatever their
    policy role says.
    """
    if safeguarding and role is not Role.SAFEGUARDING:
        return False
    return task_role in COMPLETES.get(role, frozenset())


#: The case actions only the safeguarding lead takes (Stage 4 begins and ends).
SAFEGUARDING_ACTIONS = frozenset({"record concern", "end stage 4"})


def may_act_on_case(role: Role, action: str, on_hold: bool) -> bool:
    """Return whether `role` may take the case action `action`.

    Casework roles act on cases; the Stage 4 actions, and any action on a
    case on hold for safeguarding, are the safeguarding lead's alone.
    """
    if role not in CASEWORK:
        return False
    if action in SAFEGUARDING_ACTIONS or on_hold:
        return role is Role.SAFEGUARDING
    return True


def sees_safeguarding(role: Role) -> bool:
    """Return whether `role` sees Stage 4 details and why a case is on hold."""
    return role is Role.SAFEGUARDING
