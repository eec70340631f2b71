"""The daily limit on new pathway proposals per role: which get through."""

import datetime as dt
from decimal import Decimal

import pytest

from attendwise.core.daily_limit import Candidate, is_limited, rank, select
from attendwise.core.pathway import Proposal

D = dt.date
MON, TUE = D(2025, 10, 6), D(2025, 10, 7)


def candidate(name, *, role="cfsw", stage=1, figure="90.0", first=MON):
    return Candidate(
        name,
        role=role,
        stage=stage,
        figure=Decimal(figure) if figure is not None else None,
        first_indicated_on=first,
        name=name,
    )


def names(candidates):
    return [c.item for c in candidates]


def test_a_limit_of_zero_lets_everything_through_in_worklist_order():
    chosen = select(
        [candidate("B", figure="80.0"), candidate("A", stage=2)], 0, {"cfsw": 9}
    )
    assert (names(chosen.released), chosen.queued) == (["A", "B"], [])


def test_the_most_urgent_get_through_stage_3_2_1_then_the_lowest_figure():
    five = [
        candidate("Low stage 1", figure="60.0"),
        candidate("Stage 3", stage=3, figure="85.0"),
        candidate("High stage 1", figure="94.0"),
        candidate("Stage 2", stage=2, figure="88.0"),
        candidate("No figure", figure=None),
    ]
    chosen = select(five, 2, {})
    assert names(chosen.released) == ["Stage 3", "Stage 2"]
    assert names(chosen.queued) == ["Low stage 1", "High stage 1", "No figure"]


def test_each_role_has_its_own_limit():
    chosen = select(
        [
            candidate("Head 1", role="head"),
            candidate("Cfsw 1"),
            candidate("Head 2", role="head", figure="70.0"),
            candidate("Cfsw 2", figure="50.0"),
        ],
        1,
        {},
    )
    assert names(chosen.released) == ["Cfsw 2", "Head 2"]
    assert names(chosen.queued) == ["Cfsw 1", "Head 1"]


def test_what_a_role_already_had_today_counts_so_a_rerun_releases_no_more():
    waiting = [candidate("C"), candidate("D", role="head")]
    chosen = select(waiting, 2, {"cfsw": 2, "head": 1})
    assert (names(chosen.released), names(chosen.queued)) == (["D"], ["C"])


def test_a_role_over_a_lowered_limit_releases_nothing():
    chosen = select([candidate("A")], 1, {"cfsw": 3})
    assert (chosen.released, names(chosen.queued)) == ([], ["A"])


def test_on_equal_stage_and_figure_the_longest_waiting_goes_first_then_name():
    chosen = select(
        [
            candidate("Zed", first=MON),
            candidate("Bea", first=TUE),
            candidate("Amy", first=MON),
        ],
        2,
        {},
    )
    assert names(chosen.released) == ["Amy", "Zed"]
    assert names(chosen.queued) == ["Bea"]


def test_rank_puts_no_figure_after_every_figure():
    assert rank(1, Decimal("0.0")) < rank(1, None) < rank(0, Decimal("0.0"))


def proposal(kind, role="cfsw", **fields):
    return Proposal(
        key="2025/1/L1",
        kind=kind,
        title="An item",
        role=role,
        due_on=MON,
        first_indicated_on=MON,
        **fields,
    )


@pytest.mark.parametrize(
    ("item", "limited"),
    [
        (proposal("step"), True),
        (proposal("decision", role="head"), True),
        (proposal("escalation", role="head"), True),
        (proposal("check"), False),
        (proposal("meeting"), False),
        (proposal("carry over", role="head"), False),
        (proposal("re-entry", role="safeguarding"), False),
        (proposal("step", role="safeguarding", safeguarding=True), False),
        (proposal("step", role="safeguarding"), False),
    ],
    ids=lambda value: str(value) if isinstance(value, bool) else value.kind,
)
def test_the_limit_applies_to_steps_decisions_and_escalations_only(item, limited):
    assert is_limited(item) is limited
