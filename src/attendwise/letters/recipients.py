"""Who a letter goes to, and how many copies (POLICY.md, "Letters").

Everyone with parental responsibility and everyone who lives with the
pupil receives letters, except contacts the MIS marks as not receiving
correspondence or barred by a court order. One copy goes to each address
and names everyone it is for there. A copy only ever carries its own
household's address.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from attendwise.letters.errors import LetterError


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactInfo:
    """A parent or carer as the MIS gives them (one row of its contacts)."""

    title: str = ""
    forename: str
    surname: str
    relationship: str
    parental_responsibility: bool
    lives_with_pupil: bool
    address_lines: tuple[str, ...] = ()
    town: str = ""
    postcode: str = ""
    receives_correspondence: bool = True
    court_order_bar: bool = False
    #: the MIS's priority order: 1 is the first contact
    priority: int = 0
    phone: str = ""
    #: the database id, so a staff choice can name a contact; None in tests
    contact_id: int | None = None

    @property
    def full_name(self) -> str:
        """Return 'Mrs June Allen' (no title: 'June Allen')."""
        return " ".join(p for p in (self.title, self.forename, self.surname) if p)

    @property
    def formal_name(self) -> str:
        """Return 'Mrs Allen' for a salutation; without a title, the full name."""
        if self.title:
            return f"{self.title} {self.surname}"
        return f"{self.forename} {self.surname}"

    @property
    def postal_lines(self) -> tuple[str, ...]:
        """Return the address lines, town and postcode, leaving out blanks."""
        lines = (*self.address_lines, self.town, self.postcode)
        return tuple(line.strip() for line in lines if line.strip())

    @property
    def address_key(self) -> str:
        """Return line 1 and postcode, ignoring case and spaces; '' if none.

        Two contacts share a household when their keys are equal and not
        empty: a contact with no address never shares a letter.
        """
        line_1 = self.address_lines[0] if self.address_lines else ""
        if not (line_1.strip() or self.postcode.strip()):
            return ""
        return f"{_squash(line_1)}|{_squash(self.postcode)}"

    @property
    def receives_letters(self) -> bool:
        """Return whether the default recipients include this contact."""
        is_parent = self.parental_responsibility or self.lives_with_pupil
        return is_parent and self.receives_correspondence and not self.court_order_bar


def _squash(text: str) -> str:
    return "".join(text.split()).casefold()


@dataclass(frozen=True, slots=True)
class Addressee:
    """One copy of a letter: the contacts at one address, in priority order."""

    contacts: tuple[ContactInfo, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(contact.full_name for contact in self.contacts)

    @property
    def salutation(self) -> str:
        """Return 'Dear Mrs Allen' or 'Dear Mrs Gibson and Mr Gibson'."""
        names = [contact.formal_name for contact in self.contacts]
        if not names:
            return "Dear Parent or Carer"
        if len(names) == 1:
            return f"Dear {names[0]}"
        return f"Dear {', '.join(names[:-1])} and {names[-1]}"

    @property
    def address_lines(self) -> tuple[str, ...]:
        """Return the address as the first contact there has it; () if none."""
        return self.contacts[0].postal_lines if self.contacts else ()

    @property
    def address_key(self) -> str:
        return self.contacts[0].address_key if self.contacts else ""

    @property
    def is_home(self) -> bool:
        """Return whether the pupil lives at this address."""
        return any(contact.lives_with_pupil for contact in self.contacts)

    @property
    def contact_ids(self) -> tuple[int, ...]:
        return tuple(c.contact_id for c in self.contacts if c.contact_id is not None)


def addressees(
    contacts: Iterable[ContactInfo], *, chosen: Collection[int] | None = None
) -> tuple[Addressee, ...]:
    """Return one Addressee per address, the pupil's home first.

    By default the recipients are the contacts that `receives_letters`
    admits. `chosen` (contact ids) is the staff's own choice on the
    confirmation screen: it replaces the default, but a contact barred by a
    court order is refused with a LetterError. Contacts with no address
    each get a copy of their own (it cannot go in the post). After the
    home, copies follow the best priority of the contacts on them. Empty
    when nobody receives letters.
    """
    people = _recipients(list(contacts), chosen)
    groups: dict[str, list[ContactInfo]] = {}
    for index, contact in enumerate(sorted(people, key=lambda c: c.priority)):
        key = contact.address_key or f"no address {index}"
        groups.setdefault(key, []).append(contact)

    copies = [Addressee(tuple(group)) for group in groups.values()]
    return tuple(sorted(copies, key=lambda a: (not a.is_home, a.contacts[0].priority)))


def _recipients(
    contacts: list[ContactInfo], chosen: Collection[int] | None
) -> list[ContactInfo]:
    if chosen is None:
        return [contact for contact in contacts if contact.receives_letters]

    by_id = {c.contact_id: c for c in contacts if c.contact_id is not None}
    unknown = sorted(set(chosen) - set(by_id))
    if unknown:
        raise LetterError(
            f"The chosen recipients include contacts {unknown} who are not "
            "contacts of this pupil."
        )
    barred = [by_id[i].full_name for i in chosen if by_id[i].court_order_bar]
    if barred:
        raise LetterError(
            f"{', '.join(barred)} may not receive letters: a court order bars it."
        )
    return [by_id[i] for i in chosen]


def named_parents(
    contacts: Iterable[ContactInfo],
    *,
    living_with_only: bool = False,
    chosen: Collection[int] | None = None,
) -> tuple[ContactInfo, ...]:
    """Return the parents a referral names, in priority order.

    A referral goes to an agency, which needs every parent in law: anyone
    with parental responsibility or who lives with the pupil, whatever the
    MIS says about correspondence. `living_with_only` keeps those who live
    with the pupil (the FPN referral's default). `chosen` (contact ids) is
    the staff's choice instead, among the same parents; an id that is not
    one of them is a LetterError.
    """
    parents = sorted(
        (c for c in contacts if c.parental_responsibility or c.lives_with_pupil),
        key=lambda c: c.priority,
    )
    if chosen is not None:
        known = {c.contact_id for c in parents}
        unknown = sorted(set(chosen) - known)
        if unknown:
            raise LetterError(
                f"The parents named include contacts {unknown} who neither "
                "have parental responsibility nor live with the pupil."
            )
        return tuple(c for c in parents if c.contact_id in set(chosen))
    if living_with_only:
        return tuple(c for c in parents if c.lives_with_pupil)
    return tuple(parents)
