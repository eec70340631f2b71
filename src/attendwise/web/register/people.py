"""People around a pupil: siblings (for the panel meeting) and their history.

MIS exports carry no family id, so siblings are found through their
contacts: two pupils of the school are siblings when a contact with
parental responsibility is the same person for both. The same person
means the same email, the same mobile number (its digits), or the same
name at the same postcode. This is our convention, and it can miss a
parent recorded differently twice; the panel checks the list.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from attendwise.web.register.models import Contact, Pupil, PupilChange, School

_NOT_DIGITS = re.compile(r"\D")
#: A UK phone number has at least 10 digits; fewer match too much.
MIN_PHONE_DIGITS = 10


def _keys(contact: Contact) -> Iterable[str]:
    if contact.email.strip():
        yield "email:" + contact.email.strip().lower()
    digits = _NOT_DIGITS.sub("", contact.mobile)
    if digits.startswith("44"):
        digits = "0" + digits[2:]
    if len(digits) >= MIN_PHONE_DIGITS:
        yield "phone:" + digits
    postcode = contact.postcode.replace(" ", "").upper()
    if postcode and contact.surname.strip():
        name = f"{contact.forename.strip()} {contact.surname.strip()}".lower()
        yield f"name:{name}@{postcode}"


def sibling_groups(school: School) -> list[list[Pupil]]:
    """Return the groups of two or more pupils who share a parent or carer.

    Only contacts with parental responsibility count. Each group is
    ordered by MIS id; groups by their first pupil. Leavers are included
    (a sibling who left can still matter to the panel).
    """
    parent: dict[int, int] = {}

    def find(pk: int) -> int:
        while parent.setdefault(pk, pk) != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    seen: dict[str, int] = {}
    contacts = Contact.objects.filter(
        pupil__school=school, parental_responsibility=True
    ).only("pupil_id", "email", "mobile", "postcode", "forename", "surname")
    for contact in contacts:
        find(contact.pupil_id)
        for key in _keys(contact):
            other = seen.setdefault(key, contact.pupil_id)
            parent[find(other)] = find(contact.pupil_id)

    groups: dict[int, list[int]] = defaultdict(list)
    for pk in parent:
        groups[find(pk)].append(pk)
    wanted = [pks for pks in groups.values() if len(pks) > 1]
    pupils = Pupil.objects.in_bulk([pk for pks in wanted for pk in pks])
    found = [sorted((pupils[pk] for pk in pks), key=_by_mis_id) for pks in wanted]
    return sorted(found, key=lambda group: _by_mis_id(group[0]))


def _by_mis_id(pupil: Pupil) -> tuple[int, str]:
    return (len(pupil.mis_id), pupil.mis_id)


def siblings(pupil: Pupil) -> list[Pupil]:
    """Return the pupil's siblings at the school (see sibling_groups)."""
    for group in sibling_groups(pupil.school):
        if any(member.pk == pupil.pk for member in group):
            return [member for member in group if member.pk != pupil.pk]
    return []


def history(pupil: Pupil) -> list[PupilChange]:
    """Return what imports changed about the pupil and their contacts, oldest first."""
    return list(pupil.changes.order_by("recorded_at", "id"))
