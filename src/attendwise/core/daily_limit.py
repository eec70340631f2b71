"""The daily limit on new pathway proposals per role, and the worklist's order.

POLICY.md, "The worklist": the policy puts many pupils on the worklist on
the same days (the 20th possible session in September, the first six-week
figure in October). With `daily_new_proposals_per_role` set to N > 0, each
daily run lets at most N new pathway proposals per role onto the
worklist, the most urgent first in the worklist's own order; the rest are
queued, keep the day each was first indicated, and are released by later
runs in the same order. This module holds the rule, as plain functions;
the daily run (web/cases/services.py) applies it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from attendwise.core.figures import percent_of
from attendwise.core.pathway import Proposal

#: The kinds of pathway proposal the limit applies to: the steps (letters,
#: meetings to arrange), the staff decisions, and the escalations (the
#: October peak is escalations, so they count).
LIMITED_KINDS = frozenset({"step", "decision", "escalation"})

#: Where an item with no figure goes: after every figure (the worst is 0%).
NO_FIGURE = Decimal(101)

T = TypeVar("T")


def is_limited(proposal: Proposal) -> bool:
    """Return whether the daily limit applies to a pathway engine proposal.

    Steps, decisions and escalations are limited. Never limited: the check
    or meeting of a step already confirmed, a carry-over into the new year,
    the re-entry after Stage 4, and anything for the safeguarding lead
    (Stage 4, the MASH record). The ongoing procedures are not pathway
    proposals, so they never reach this question.
    """
    return (
        proposal.kind in LIMITED_KINDS
        and not proposal.safeguarding
        and proposal.role != "safeguarding"
    )


def ytd_figure(figures: Mapping[str, Any]) -> Decimal | None:
    """Return the year-to-date figure for intervention decisions in a record.

    None when the record holds no year-to-date figures (or none possible).
    """
    ytd = figures.get("ytd")
    if not isinstance(ytd, Mapping) or not ytd:
        return None
    return stored_figure(ytd.get("i_attended"), ytd.get("i_possible"))


def stored_figure(attended: object, possible: object) -> Decimal | None:
    """Return the figure of two counts as a record stores them (or as text).

    None when neither is there, or nothing is possible.
    """
    if attended in (None, "") and possible in (None, ""):
        return None
    return percent_of(_whole(attended), _whole(possible))


def _whole(value: object) -> int:
    return int(str(value)) if value not in (None, "") else 0


def rank(stage: int, figure: Decimal | None) -> tuple[int, Decimal]:
    """Return the worklist's order within a group: Stage 3, 2, 1, lowest figure.

    An item with no figure comes after those with one.
    """
    return (-stage, figure if figure is not None else NO_FIGURE)


@dataclass(frozen=True)
class Candidate(Generic[T]):
    """A new pathway proposal waiting for the limit to let it through."""

    #: whatever the caller identifies the proposal by
    item: T
    role: str
    #: the case's stage, as the worklist shows it
    stage: int
    figure: Decimal | None
    first_indicated_on: dt.date
    #: the last tie-break, as on the worklist: the pupil's name
    name: str = ""

    @property
    def order(self) -> tuple[int, Decimal, dt.date, str]:
        """Return the release order: rank, then the longest waiting, then name."""
        return (*rank(self.stage, self.figure), self.first_indicated_on, self.name)


@dataclass(frozen=True)
class Selection(Generic[T]):
    """The candidates that go on the worklist today, and those still queued."""

    released: list[Candidate[T]]
    queued: list[Candidate[T]]


def select(
    candidates: Iterable[Candidate[T]],
    limit: int,
    released_today: Mapping[str, int],
) -> Selection[T]:
    """Return which candidates go on the worklist today and which are queued.

    Each role releases, in release order (`Candidate.order`, then the order
    given), as many candidates as `limit` leaves after `released_today`
    (the new proposals the role already had today: a re-run of the day
    releases no more). The rest are queued, in the same order. A limit of
    0 means no limit: everything is released. A role already at or over
    the limit releases nothing.
    """
    ordered = sorted(candidates, key=lambda candidate: candidate.order)
    if limit == 0:
        return Selection(released=ordered, queued=[])
    taken: dict[str, int] = defaultdict(int, released_today)
    released: list[Candidate[T]] = []
    queued: list[Candidate[T]] = []
    for candidate in ordered:
        if taken[candidate.role] < limit:
            taken[candidate.role] += 1
            released.append(candidate)
        else:
            queued.append(candidate)
    return Selection(released=released, queued=queued)
