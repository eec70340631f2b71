"""The demo school's population: families, pupils, contacts and UPNs.

Households (the chance of each per family):

- two parents (53%): mother and father at one address, both with
  parental responsibility;
- separated (14%): the parent the pupil lives with, and the other parent
  (also with parental responsibility) at a second address;
- mother and stepfather (10%): the stepfather lives with the pupil without
  parental responsibility; in half of them the father is at another
  address;
- father and stepmother (2%): likewise, the mother at another address;
- single parent (17%): one contact;
- grandparents (4%): a grandmother, sometimes with a grandfather, holding
  parental responsibility.

About one family in eight has two children at the school, in different
years; siblings share their contacts, free school meals and holidays.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace

from attendwise.core.upn import upn_check_letter
from attendwise.demo import words
from attendwise.demo.school import DemoContact

YEARS = (7, 8, 9, 10, 11)

#: The LA number in every demo UPN: 999 belongs to no local authority, so
#: a demo UPN can never be a real pupil's.
DEMO_LA_NUMBER = "999"

#: Shares of pupils: eligible for free school meals (whole families, about
#: a quarter of secondary pupils nationally), with two children at the
#: school (chance per family), with an EHC plan, on SEN support.
FSM_SHARE = 0.25
SIBLING_SHARE = 0.12
EHC_SHARE = 0.035
SEN_SUPPORT_SHARE = 0.13

HOUSEHOLDS = (
    ("two parents", 0.53),
    ("separated", 0.14),
    ("mother and stepfather", 0.10),
    ("father and stepmother", 0.02),
    ("single parent", 0.17),
    ("grandparents", 0.04),
)


@dataclass(frozen=True, slots=True)
class Address:
    line_1: str
    town: str
    postcode: str


@dataclass(frozen=True, slots=True)
class Adult:
    relationship: str
    parental_responsibility: bool
    title: str
    forename: str
    surname: str
    lives_with_pupil: bool
    address: Address
    mobile: str
    email: str


@dataclass(frozen=True, slots=True)
class Child:
    """A pupil before the school's numbers (student id, group) are given."""

    family_id: int
    forename: str
    surname: str
    gender: str
    date_of_birth: dt.date
    year: int
    fsm: bool
    sen: str
    upn: str


class _Numbers:
    """Hands out distinct drama telephone numbers (repeating only when all
    2000 are used)."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._mobiles = self._block(*words.MOBILE_BLOCK)
        self._landlines = self._block(*words.LANDLINE_BLOCK)

    def _block(self, prefix: str, size: int) -> list[str]:
        numbers = [f"{prefix}{n:03d}" for n in range(size)]
        self._rng.shuffle(numbers)
        return numbers

    def take(self) -> str:
        pool = self._mobiles if self._rng.random() < 0.85 else self._landlines
        if not pool:
            pool = self._landlines or self._mobiles
        if not pool:
            self._mobiles = self._block(*words.MOBILE_BLOCK)
            pool = self._mobiles
        return pool.pop()


def _address(rng: random.Random) -> Address:
    town, district = rng.choice(words.TOWNS)
    street = f"{rng.choice(words.STREET_STEMS)} {rng.choice(words.STREET_KINDS)}"
    inward = (
        f"{rng.randint(1, 9)}"
        f"{rng.choice(words.INWARD_LETTERS)}{rng.choice(words.INWARD_LETTERS)}"
    )
    return Address(
        line_1=f"{rng.randint(1, 180)} {street}",
        town=town,
        postcode=f"{words.POSTCODE_AREA}{district} {inward}",
    )


def _email(rng: random.Random, forename: str, surname: str) -> str:
    first = forename.lower()
    last = surname.lower().replace("'", "")
    local = rng.choice(
        (
            f"{first}.{last}",
            f"{first[0]}{last}{rng.randint(1, 99)}",
            f"{first}{last}{rng.randint(70, 95)}",
            f"{first}_{last[0]}",
        )
    )
    return f"{local}@{rng.choice(words.EMAIL_DOMAINS)}"


class _AdultMaker:
    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._numbers = _Numbers(rng)

    def make(
        self,
        relationship: str,
        *,
        surname: str,
        address: Address,
        lives: bool,
        responsibility: bool = True,
    ) -> Adult:
        rng = self._rng
        female = relationship in ("Mother", "Stepmother", "Grandmother")
        names: tuple[str, ...]
        if relationship.startswith("Grand"):
            names = words.GRANDMOTHERS if female else words.GRANDFATHERS
        else:
            names = words.WOMEN if female else words.MEN
        forename = rng.choice(names)
        if female:
            title = rng.choices(("Mrs", "Ms", "Miss", "Dr"), (70, 18, 10, 2))[0]
        else:
            title = "Dr" if rng.random() < 0.02 else "Mr"
        return Adult(
            relationship=relationship,
            parental_responsibility=responsibility,
            title=title,
            forename=forename,
            surname=surname,
            lives_with_pupil=lives,
            address=address,
            mobile=self._numbers.take(),
            email=_email(rng, forename, surname),
        )


def _household_adults(
    rng: random.Random, maker: _AdultMaker, household: str, surname: str
) -> list[Adult]:
    """Return the family's contacts in priority order (`surname` is the
    children's, and the father's where there is one)."""
    home = _address(rng)
    other = _address(rng)

    def own_surname() -> str:
        return rng.choice(words.SURNAMES)

    if household == "two parents":
        mother_surname = surname if rng.random() < 0.85 else own_surname()
        mother = maker.make("Mother", surname=mother_surname, address=home, lives=True)
        father = maker.make("Father", surname=surname, address=home, lives=True)
        parents = [father, mother] if rng.random() < 0.1 else [mother, father]
        return parents
    if household == "separated":
        with_mother = rng.random() < 0.8
        mother = maker.make(
            "Mother",
            surname=surname if rng.random() < 0.5 else own_surname(),
            address=home if with_mother else other,
            lives=with_mother,
        )
        father = maker.make(
            "Father",
            surname=surname,
            address=other if with_mother else home,
            lives=not with_mother,
        )
        return [mother, father] if with_mother else [father, mother]
    if household == "mother and stepfather":
        step = maker.make(
            "Stepfather",
            surname=own_surname(),
            address=home,
            lives=True,
            responsibility=False,
        )
        mother_surname = step.surname if rng.random() < 0.6 else surname
        adults = [
            maker.make("Mother", surname=mother_surname, address=home, lives=True),
            step,
        ]
        if rng.random() < 0.5:
            adults.append(
                maker.make("Father", surname=surname, address=other, lives=False)
            )
        return adults
    if household == "father and stepmother":
        father = maker.make("Father", surname=surname, address=home, lives=True)
        step = maker.make(
            "Stepmother",
            surname=surname,
            address=home,
            lives=True,
            responsibility=False,
        )
        mother = maker.make("Mother", surname=own_surname(), address=other, lives=False)
        return [father, step, mother]
    if household == "single parent":
        relationship = "Mother" if rng.random() < 0.85 else "Father"
        parent = maker.make(relationship, surname=surname, address=home, lives=True)
        return [parent]
    grandmother = maker.make("Grandmother", surname=surname, address=home, lives=True)
    adults = [grandmother]
    if rng.random() < 0.5:
        adults.append(
            maker.make("Grandfather", surname=surname, address=home, lives=True)
        )
    return adults


class _UpnMaker:
    """Gives each pupil a distinct UPN with a valid check letter.

    The body is the demo LA number, a feeder primary's establishment number,
    the year the pupil started in Reception and a serial.
    """

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._primaries = rng.sample(range(2001, 2400), 12)
        self._used: set[str] = set()

    def make(self, reception_year: int) -> str:
        while True:
            primary = self._rng.choice(self._primaries)
            serial = self._rng.randint(1, 999)
            body = (
                f"{DEMO_LA_NUMBER}{primary:04d}{reception_year % 100:02d}{serial:03d}"
            )
            if body not in self._used:
                self._used.add(body)
                return upn_check_letter(body) + body


def _birth_date(rng: random.Random, year: int, year_start: int) -> dt.date:
    # Year 7 in the year starting 2025 was born from 1 September 2013 to
    # 31 August 2014.
    first = dt.date(year_start - year - 5, 9, 1)
    return first + dt.timedelta(days=rng.randrange(365))


def _year_sizes(count: int) -> dict[int, int]:
    base, extra = divmod(count, len(YEARS))
    return {year: base + (1 if i < extra else 0) for i, year in enumerate(YEARS)}


def _families_of_years(rng: random.Random, count: int) -> list[list[int]]:
    """Return each family's children as year groups, siblings in different years."""
    slots = [year for year, size in _year_sizes(count).items() for _ in range(size)]
    rng.shuffle(slots)
    families: list[list[int]] = []
    while slots:
        year = slots.pop()
        children = [year]
        if rng.random() < SIBLING_SHARE:
            for i in range(len(slots) - 1, -1, -1):
                if slots[i] != year:
                    children.append(slots.pop(i))
                    break
        families.append(children)
    return families


def _free_school_meals(rng: random.Random, children: Sequence[Child]) -> set[int]:
    """Return the families with free school meals: whole families, in random
    order, until FSM_SHARE of the pupils are eligible."""
    pupils_of: dict[int, int] = {}
    for child in children:
        pupils_of[child.family_id] = pupils_of.get(child.family_id, 0) + 1
    families = sorted(pupils_of)
    rng.shuffle(families)
    target = round(len(children) * FSM_SHARE)
    eligible: set[int] = set()
    count = 0
    for family in families:
        if count >= target:
            break
        eligible.add(family)
        count += pupils_of[family]
    return eligible


def _special_needs(rng: random.Random, children: Sequence[Child]) -> list[str]:
    """Return each child's SEN status: exactly EHC_SHARE with a plan and
    SEN_SUPPORT_SHARE on SEN support, boys identified more often."""
    order = list(range(len(children)))
    rng.shuffle(order)
    ehc = round(len(children) * EHC_SHARE)
    status = ["N"] * len(children)
    for i in order[:ehc]:
        status[i] = "E"
    # Weighted sampling without replacement (Efraimidis and Spirakis).
    keys = {
        i: rng.random() ** (1 / (1.5 if children[i].gender == "M" else 1.0))
        for i in order[ehc:]
    }
    support = sorted(keys, key=lambda i: keys[i], reverse=True)
    for i in support[: round(len(children) * SEN_SUPPORT_SHARE)]:
        status[i] = "K"
    return status


def build_families(
    rng: random.Random, *, count: int, year_start: int
) -> tuple[list[Child], dict[int, list[Adult]]]:
    """Return `count` children, and each family's contacts by family id.

    Children come in family order; the caller numbers them and places them
    in registration groups.
    """
    maker = _AdultMaker(rng)
    upns = _UpnMaker(rng)
    names = [household for household, _ in HOUSEHOLDS]
    weights = [share for _, share in HOUSEHOLDS]
    children: list[Child] = []
    adults_of: dict[int, list[Adult]] = {}
    for family_id, years in enumerate(_families_of_years(rng, count), start=1):
        household = rng.choices(names, weights)[0]
        surname = rng.choice(words.SURNAMES)
        adults = _household_adults(rng, maker, household, surname)
        adults_of[family_id] = adults
        taken: set[str] = set()
        for year in years:
            gender = rng.choice("FM")
            pool = words.GIRLS if gender == "F" else words.BOYS
            forename = rng.choice([n for n in pool if n not in taken])
            taken.add(forename)
            children.append(
                Child(
                    family_id=family_id,
                    forename=forename,
                    surname=surname,
                    gender=gender,
                    date_of_birth=_birth_date(rng, year, year_start),
                    year=year,
                    fsm=False,
                    sen="N",
                    # Year 7 of 2025/26 started in Reception in 2018.
                    upn=upns.make(reception_year=year_start - year),
                )
            )
    fsm = _free_school_meals(rng, children)
    children = [
        replace(child, fsm=child.family_id in fsm, sen=sen)
        for child, sen in zip(children, _special_needs(rng, children), strict=True)
    ]
    return children, adults_of


def contacts_for(student_id: int, adults: Sequence[Adult]) -> list[DemoContact]:
    """Return a pupil's contact rows, priority 1 first."""
    return [
        DemoContact(
            student_id=student_id,
            priority=priority,
            relationship=adult.relationship,
            parental_responsibility=adult.parental_responsibility,
            title=adult.title,
            forename=adult.forename,
            surname=adult.surname,
            lives_with_pupil=adult.lives_with_pupil,
            address_line_1=adult.address.line_1,
            town=adult.address.town,
            postcode=adult.address.postcode,
            mobile=adult.mobile,
            email=adult.email,
        )
        for priority, adult in enumerate(adults, start=1)
    ]
