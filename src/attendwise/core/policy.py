"""The policy file: settings, stage rules and the pathways, as data.

A policy is a TOML file (docs/policy.md). Loading validates everything and
raises PolicyError with every problem found, each naming the setting or
node and saying what would be right. The pathway engine interprets the
nodes; another school's sequence of letters, checks and meetings needs a
new file, not new code.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from typing import Any


class PolicyError(ValueError):
    """A policy file that cannot be run, with every problem found."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        listing = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"{source}: the policy cannot be used:\n{listing}")


class Basis(StrEnum):
    """Where a rule comes from (POLICY.md keeps these apart)."""

    SEED = "seed"
    READING = "reading"
    DEFAULT = "default"


@dataclass(frozen=True, slots=True)
class SettingSpec:
    name: str
    kind: type
    basis: Basis
    help: str


def _spec(name: str, kind: type, basis: Basis, help: str) -> SettingSpec:
    return SettingSpec(name, kind, basis, help)


S, R, D = Basis.SEED, Basis.READING, Basis.DEFAULT

#: Every setting of [settings], with where it comes from and what it means.
SETTINGS: dict[str, SettingSpec] = {
    spec.name: spec
    for spec in (
        _spec("school_target", int, S, "The school's attendance target (%)."),
        _spec(
            "intervention_not_possible",
            list,
            D,
            "Codes treated as not possible sessions for intervention decisions "
            "only (statutory figures are unchanged).",
        ),
        _spec(
            "minimum_possible",
            int,
            D,
            "No stage is indicated until the pupil has this many possible "
            "sessions this academic year.",
        ),
        _spec("six_week_days", int, D, "School days in 'a six week period'."),
        _spec(
            "six_week_min_possible",
            int,
            D,
            "Possible sessions the six-week window needs before its figure exists.",
        ),
        _spec(
            "six_week_cross_year",
            bool,
            D,
            "Whether the six-week window may reach back into the previous "
            "academic year.",
        ),
        _spec(
            "stage1_ytd_below", int, S, "Stage 1 when YTD attendance is below this %."
        ),
        _spec(
            "stage2_six_week_below",
            int,
            S,
            "Stage 2 when six-week attendance is below this %.",
        ),
        _spec(
            "stage3_six_week_below",
            int,
            S,
            "Stage 3 when six-week attendance is below this % ...",
        ),
        _spec(
            "stage3_unauthorised_at_least",
            int,
            S,
            "... and the six weeks hold at least this many unauthorised sessions.",
        ),
        _spec(
            "n_grace_days",
            int,
            D,
            "An N younger than this many school days is left out of the Stage 3 "
            "unauthorised count and C0's unauthorised share.",
        ),
        _spec(
            "n_unresolved_after_days",
            int,
            D,
            "B0: an N is unresolved once this many school days old (or once its "
            "first-day call is recorded 'not reached' or 'no reason given').",
        ),
        _spec(
            "n_deadline_days",
            int,
            D,
            "An N still on the register this many school days after its session "
            "is listed, with its change to O proposed.",
        ),
        _spec("letter_l_after_u", int, S, "Letter L after this many U sessions."),
        _spec(
            "penalty_weeks", int, S, "National framework: the window in school weeks."
        ),
        _spec(
            "penalty_threshold",
            int,
            S,
            "National framework: unauthorised sessions in the window that mean "
            "a penalty notice must be considered.",
        ),
        _spec(
            "penalty_limit",
            int,
            S,
            "National framework: notices per parent per child ...",
        ),
        _spec("penalty_limit_years", int, S, "... within this many years."),
        _spec(
            "long_absence_days",
            int,
            D,
            "Continuous school days of unauthorised absence that put a Local "
            "Authority notification on the worklist.",
        ),
        _spec(
            "illness_consecutive_days",
            int,
            D,
            "Consecutive school days of illness that raise the question of a "
            "sickness return.",
        ),
        _spec(
            "illness_total_days",
            int,
            D,
            "School days of illness in the year that raise the same question.",
        ),
        _spec(
            "monitor_every",
            int,
            D,
            "A case in monitoring is checked every this many school days.",
        ),
        _spec(
            "meeting_record_days",
            int,
            D,
            "If no meeting is entered within this many school days of the step's "
            "confirmation, 'meeting not held' is recorded.",
        ),
        _spec(
            "panel_record_days",
            int,
            D,
            "The same for the attendance panel, counted from C1 or the support "
            "decision.",
        ),
        _spec(
            "dismissal_wait_days",
            int,
            D,
            "A dismissed step (other than an escalation) is not proposed again "
            "for this many school days.",
        ),
        _spec(
            "daily_new_proposals_per_role",
            int,
            D,
            "At most this many new pathway proposals per role go on the "
            "worklist each day, the most urgent first; the rest are queued. "
            "0 means no limit.",
        ),
        _spec(
            "stage4_reentry",
            str,
            D,
            "Where a case re-enters the pathway when Stage 4 ends.",
        ),
        _spec(
            "enforcement_recommended_unauthorised_share",
            int,
            D,
            "C0 recommends enforcement when at least this % of the six-week "
            "absences are unauthorised (or the national threshold is met).",
        ),
    )
}

IMPROVED_SETTINGS: dict[str, SettingSpec] = {
    spec.name: spec
    for spec in (
        _spec(
            "review_at_least",
            int,
            D,
            "Improved when attendance over the review period is at least this %.",
        ),
        _spec(
            "points_above_baseline",
            int,
            D,
            "Improved when the review period is at least this many points above "
            "the baseline ...",
        ),
        _spec(
            "baseline_min_possible",
            int,
            D,
            "... provided the baseline has at least this many possible sessions.",
        ),
        _spec(
            "ytd_min_possible",
            int,
            D,
            "Improved when YTD (with at least this many possible sessions) is at "
            "or above the school target (Stage 1 steps and monitoring checks).",
        ),
        _spec(
            "max_absent_sessions",
            int,
            D,
            "Improved when the review period has at most this many absent sessions.",
        ),
    )
}


class NodeKind(StrEnum):
    QUESTION = "question"
    DECISION = "decision"
    STEP = "step"


class Test(StrEnum):
    """The computed questions the engine knows how to answer."""

    UNRESOLVED_N = "unresolved N"
    SIX_WEEK_BELOW = "six week below"
    PENALTY_NOTICE_ALLOWED = "penalty notice allowed"
    SUPPORT_ROUTE = "support route"


class CheckYtd(StrEnum):
    """Which whole-period figure counts as the third 'improved' part."""

    YTD = "ytd"
    SIX_WEEK = "six week"


#: Targets that are not nodes.
MONITOR = "monitor"
DEESCALATE = "de-escalate"
LA_HANDOVER = "la"
STAGE_TARGETS = {"stage 2": 2, "stage 3": 3}
SPECIAL_TARGETS = frozenset({MONITOR, DEESCALATE, LA_HANDOVER, *STAGE_TARGETS})

LETTER_KINDS = frozenset(
    {
        "letter_n",
        "letter_l",
        "letter_1",
        "letter_2",
        "letter_3",
        "medical",
        "letter_4",
        "enforcement_1",
        "did_not_attend",
        "fpn_referral",
        "la_referral",
        "mash_referral",
    }
)


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    kind: NodeKind
    title: str
    role: str = ""
    # question
    test: Test | None = None
    percent: int | None = None
    yes: str = ""
    no: str = ""
    # decision
    options: Mapping[str, str] = field(default_factory=dict)
    recommend: str = ""
    show: str = ""
    # step
    letter: str = ""
    meeting: bool = False
    panel: bool = False
    meeting_not_before: int = 0
    record_within: int = 0
    no_show_letter: str = ""
    check_after: int = 0
    check_is_minimum: bool = False
    check_ytd: CheckYtd = CheckYtd.YTD
    check_title: str = ""
    needs_satisfactory_reason: bool = False
    improved: str = ""
    not_improved: str = ""
    next: str = ""
    times_per_year: int = 0
    over_limit: str = ""
    enforcement_warning: bool = False
    penalty_notice: bool = False

    def targets(self) -> list[tuple[str, str]]:
        """Return (label, target) for every outgoing edge of the node."""
        edges = [
            ("yes", self.yes),
            ("no", self.no),
            ("improved", self.improved),
            ("not improved", self.not_improved),
            ("next", self.next),
            ("over limit", self.over_limit),
        ]
        edges += [
            (f"option {label!r}", target) for label, target in self.options.items()
        ]
        return [(label, target) for label, target in edges if target]


@dataclass(frozen=True, slots=True)
class Improved:
    review_at_least: int = 96
    points_above_baseline: int = 5
    baseline_min_possible: int = 20
    ytd_min_possible: int = 20
    max_absent_sessions: int = 1


@dataclass(frozen=True)
class Policy:
    name: str
    roles: Mapping[str, str]
    settings: Mapping[str, Any]
    improved: Improved
    pathways: Mapping[str, str]
    nodes: Mapping[str, Node]
    resume: Mapping[str, str]

    def setting(self, name: str) -> Any:
        """Return a [settings] value (KeyError for an unknown name)."""
        return self.settings[name]

    @property
    def not_possible(self) -> frozenset[str]:
        return frozenset(self.settings["intervention_not_possible"])

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]

    def entry(self, stage: int) -> str:
        return self.pathways[f"stage{stage}"]

    def role_name(self, role: str) -> str:
        return self.roles.get(role, role)


_NODE_FIELDS = {name for name in Node.__dataclass_fields__ if name != "id"}


#: How a type error names what was expected (the type's name, for the docs).
_KIND_WORDS: dict[type, str] = {
    int: "int (a whole number, such as 5)",
    bool: "bool (true or false)",
    str: "str (text in quotes)",
    list: 'list (of codes in quotes, such as ["E", "R"])',
}


def _check_type(value: Any, kind: type) -> bool:
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is list:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, kind)


def _read_settings(
    table: Any, specs: Mapping[str, SettingSpec], where: str, problems: list[str]
) -> dict[str, Any]:
    if not isinstance(table, dict):
        problems.append(f"[{where}] is missing or is not a table")
        return {}
    values: dict[str, Any] = {}
    for name in sorted(set(table) - set(specs)):
        problems.append(f"[{where}] {name}: not a known setting (see docs/policy.md)")
    for name, spec in specs.items():
        if name not in table:
            problems.append(f"[{where}] {name}: missing ({spec.help})")
            continue
        value = table[name]
        if not _check_type(value, spec.kind):
            problems.append(
                f"[{where}] {name}: expected "
                f"{_KIND_WORDS.get(spec.kind, spec.kind.__name__)}, got "
                f"{value!r} ({spec.help})"
            )
            continue
        if spec.kind is int and value < 0:
            problems.append(
                f"[{where}] {name}: must not be negative, got {value} ({spec.help})"
            )
            continue
        values[name] = value
    return values


def _read_node(node_id: str, raw: Any, problems: list[str]) -> Node | None:
    where = f"[nodes.{node_id}]"
    if not isinstance(raw, dict):
        problems.append(f"{where} is not a table")
        return None
    unknown = sorted(set(raw) - _NODE_FIELDS)
    if unknown:
        problems.append(f"{where}: unknown field(s) {', '.join(unknown)}")
        return None
    values = dict(raw)
    try:
        values["kind"] = NodeKind(values.get("kind", ""))
    except ValueError:
        problems.append(f"{where} kind: must be question, decision or step")
        return None
    if "test" in values:
        try:
            values["test"] = Test(values["test"])
        except ValueError:
            known = ", ".join(repr(t.value) for t in Test)
            problems.append(f"{where} test: {values['test']!r} is not one of {known}")
            return None
    if "check_ytd" in values:
        try:
            values["check_ytd"] = CheckYtd(values["check_ytd"])
        except ValueError:
            problems.append(f"{where} check_ytd: must be 'ytd' or 'six week'")
            return None
    if not isinstance(values.get("title"), str) or not values["title"]:
        problems.append(f"{where}: title is required")
        return None
    try:
        return Node(id=node_id, **values)
    except TypeError as error:
        problems.append(f"{where}: {error}")
        return None


def _validate_node(
    node: Node, policy_roles: Mapping[str, str], problems: list[str]
) -> None:
    where = f"[nodes.{node.id}]"
    if node.kind is NodeKind.QUESTION:
        if node.test is None or not node.yes or not node.no:
            problems.append(f"{where}: a question needs test, yes and no")
        if node.test is Test.SIX_WEEK_BELOW and node.percent is None:
            problems.append(f"{where}: 'six week below' needs percent")
    elif node.kind is NodeKind.DECISION:
        if len(node.options) < 2:
            problems.append(f"{where}: a decision needs at least two options")
    else:
        has_check = node.check_after > 0
        if has_check == bool(node.next):
            problems.append(
                f"{where}: a step needs either check_after (with improved and "
                "not_improved) or next, not both"
            )
        if has_check and not (node.improved and node.not_improved):
            problems.append(f"{where}: a checked step needs improved and not_improved")
        if node.times_per_year and not node.over_limit:
            problems.append(f"{where}: times_per_year needs over_limit")
    for letter in (node.letter, node.no_show_letter):
        if letter and letter not in LETTER_KINDS:
            known = ", ".join(sorted(LETTER_KINDS))
            problems.append(f"{where}: letter {letter!r} is not one of {known}")
    if node.kind is not NodeKind.QUESTION and node.role not in policy_roles:
        problems.append(f"{where}: role {node.role!r} is not declared in [roles]")


PERCENT_SETTINGS = (
    "school_target",
    "stage1_ytd_below",
    "stage2_six_week_below",
    "stage3_six_week_below",
    "enforcement_recommended_unauthorised_share",
)


def _check_values(
    settings: Mapping[str, Any], improved: Mapping[str, Any], problems: list[str]
) -> None:
    """Add a problem for each value that is of the right type but makes no sense."""
    from attendwise.core.codes import CODES_2024

    for name in PERCENT_SETTINGS:
        value = settings.get(name)
        if isinstance(value, int) and not 1 <= value <= 100:
            problems.append(
                f"[settings] {name}: a percentage from 1 to 100, not {value}"
            )
    review = improved.get("review_at_least")
    if isinstance(review, int) and not 1 <= review <= 100:
        problems.append(f"[improved] review_at_least: a percentage, not {review}")
    two, three = (
        settings.get("stage2_six_week_below"),
        settings.get("stage3_six_week_below"),
    )
    if isinstance(two, int) and isinstance(three, int) and three > two:
        problems.append(
            f"[settings] stage3_six_week_below ({three}) is above "
            f"stage2_six_week_below ({two}): Stage 3 is the lower band"
        )
    for code in settings.get("intervention_not_possible", []):
        found = CODES_2024.get(code)
        if found is None or not found.category.is_absence:
            problems.append(
                f"[settings] intervention_not_possible: {code!r} is not an absence "
                "code (only absences can be left out of intervention figures)"
            )
    for name in ("six_week_days", "minimum_possible", "monitor_every", "penalty_weeks"):
        if settings.get(name) == 0:
            problems.append(f"[settings] {name}: must be at least 1")


def policy_from_dict(data: Mapping[str, Any], source: str = "policy") -> Policy:
    """Return the policy a parsed policy file describes.

    Raises PolicyError listing every problem found.
    """
    problems: list[str] = []
    known = {"name", "roles", "settings", "improved", "pathways", "nodes", "monitoring"}
    for section in sorted(set(data) - known):
        problems.append(f"{section}: not a known section (see docs/policy.md)")
    name = data.get("name")
    if not isinstance(name, str) or not name:
        problems.append("name: the policy needs a name")
    roles = data.get("roles", {})
    if not isinstance(roles, dict) or not all(
        isinstance(v, str) for v in roles.values()
    ):
        problems.append("[roles]: each role needs a display name")
        roles = {}
    for required in ("safeguarding", "attendance"):
        if required not in roles:
            problems.append(f"[roles] {required}: required")
    settings = _read_settings(data.get("settings"), SETTINGS, "settings", problems)
    improved_values = _read_settings(
        data.get("improved"), IMPROVED_SETTINGS, "improved", problems
    )
    raw_nodes = data.get("nodes", {})
    nodes: dict[str, Node] = {}
    if not isinstance(raw_nodes, dict) or not raw_nodes:
        problems.append("[nodes]: the policy needs its pathway nodes")
        raw_nodes = {}
    for node_id, raw in raw_nodes.items():
        node = _read_node(node_id, raw, problems)
        if node is not None:
            nodes[node_id] = node
    for node in nodes.values():
        _validate_node(node, roles, problems)
        for label, target in node.targets():
            if target not in nodes and target not in SPECIAL_TARGETS:
                problems.append(
                    f"[nodes.{node.id}] {label} -> {target!r}: no such node "
                    f"(nor one of {', '.join(sorted(SPECIAL_TARGETS))})"
                )
    pathways = data.get("pathways", {})
    if not isinstance(pathways, dict):
        pathways = {}
    for stage in ("stage1", "stage2", "stage3"):
        entry = pathways.get(stage)
        if entry not in nodes:
            problems.append(f"[pathways] {stage}: {entry!r} is not a node")
    monitoring = data.get("monitoring", {})
    resume = monitoring.get("resume", {}) if isinstance(monitoring, dict) else {}
    for after, target in resume.items():
        base = after.split(" ")[0]
        if base not in nodes:
            problems.append(f"[monitoring.resume] {after}: {base!r} is not a node")
        if target not in nodes:
            problems.append(f"[monitoring.resume] {after} -> {target!r}: no such node")
    _check_values(settings, improved_values, problems)
    if settings.get("stage4_reentry") not in (None, "same step"):
        problems.append("[settings] stage4_reentry: only 'same step' is supported")
    if problems:
        raise PolicyError(source, problems)
    return Policy(
        name=str(name),
        roles=dict(roles),
        settings=settings,
        improved=Improved(**improved_values),
        pathways=dict(pathways),
        nodes=nodes,
        resume=dict(resume),
    )


def load_policy(text: str, source: str = "policy") -> Policy:
    """Return the policy described by TOML `text`; raise PolicyError if unusable."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(source, [f"not valid TOML: {error}"]) from None
    return policy_from_dict(data, source)


def shipped_policy_text(name: str = "forest-view") -> str:
    """Return the text of a policy file shipped with Attendwise."""
    return (
        resources.files("attendwise.policies")
        .joinpath(f"{name}.toml")
        .read_text(encoding="utf-8")
    )


def shipped_policy(name: str = "forest-view") -> Policy:
    return load_policy(shipped_policy_text(name), f"{name}.toml")
