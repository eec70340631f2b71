"""Small factories for letter tests: real objects with keyword defaults."""

from __future__ import annotations

import datetime as dt
from typing import Any

from attendwise.core.figures import WindowFigures
from attendwise.letters.kinds import LetterKind
from attendwise.letters.merge import LetterFacts, Letterhead, PupilInfo
from attendwise.letters.recipients import ContactInfo

D = dt.date


def contact(**overrides: Any) -> ContactInfo:
    """Return a mother with parental responsibility living with the pupil."""
    fields: dict[str, Any] = {
        "title": "Mrs",
        "forename": "June",
        "surname": "Allen",
        "relationship": "Mother",
        "parental_responsibility": True,
        "lives_with_pupil": True,
        "address_lines": ("23 Patricia Cliff",),
        "town": "Saraville",
        "postcode": "LA90 8SP",
        "priority": 1,
    }
    fields.update(overrides)
    return ContactInfo(**fields)


def father_elsewhere(**overrides: Any) -> ContactInfo:
    """Return a father with parental responsibility at another address."""
    fields: dict[str, Any] = {
        "title": "Mr",
        "forename": "Richard",
        "surname": "Price",
        "relationship": "Father",
        "lives_with_pupil": False,
        "address_lines": ("38 Ashley Views",),
        "town": "South Billy",
        "postcode": "BA4A 1ZF",
        "priority": 2,
    }
    fields.update(overrides)
    return contact(**fields)


def stepfather_at_home(**overrides: Any) -> ContactInfo:
    """Return a stepfather without parental responsibility, living at home."""
    fields: dict[str, Any] = {
        "title": "Mr",
        "forename": "Philip",
        "surname": "Carey",
        "relationship": "Stepfather",
        "parental_responsibility": False,
        "priority": 2,
    }
    fields.update(overrides)
    return contact(**fields)


def figures(**overrides: Any) -> WindowFigures:
    """Return E20's figures as of Mon 29 Sep 2025: 36 of 38 sessions."""
    fields: dict[str, Any] = {
        "first": D(2025, 9, 3),
        "last": D(2025, 9, 29),
        "possible": 38,
        "attended": 36,
        "authorised": 2,
        "unauthorised": 0,
        "i_possible": 38,
        "i_attended": 36,
        "illness": 2,
    }
    fields.update(overrides)
    return WindowFigures(**fields)


def facts(**overrides: Any) -> LetterFacts:
    """Return the facts of a Letter 1 to Pat Allen's parents."""
    fields: dict[str, Any] = {
        "kind": LetterKind.LETTER_1,
        "letterhead": Letterhead(
            "Oakfield Academy",
            ("Oakfield Road", "Oakfield", "OK1 2AB"),
            phone="01632 960000",
        ),
        "sender_name": "Sam Patel",
        "sender_role": "Child and Family Support Worker",
        "on_day": D(2025, 9, 30),
        "reference": "4004/17",
        "pupil": PupilInfo(
            "Pat", "Allen", D(2013, 3, 14), "A801200001001", 7, "7AB", "SEN support"
        ),
        "figures": figures(),
        "target_percent": 96,
    }
    fields.update(overrides)
    return LetterFacts(**fields)
