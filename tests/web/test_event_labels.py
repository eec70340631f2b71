"""Every kind of event the code records has a label in plain words."""

from __future__ import annotations

import ast
from pathlib import Path

import attendwise
from attendwise.web.cases.models import EVENT_LABELS, Event

SOURCE = Path(attendwise.__file__).parent


def _kind_given(call: ast.Call) -> ast.expr | None:
    """Return the `kind` a CaseEvent(...), Event(...) or Event.objects.create(...)
    call records, or None when `call` is none of these."""
    func = call.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
    creates_event = (
        name == "create"
        and isinstance(func, ast.Attribute)
        and ast.unparse(func.value) == "Event.objects"
    )
    if name not in ("CaseEvent", "Event") and not creates_event:
        return None
    keyword = next((k.value for k in call.keywords if k.arg == "kind"), None)
    return keyword or (call.args[0] if call.args else None)


def recorded_kinds() -> tuple[set[str], list[str]]:
    """Return the event kinds named in the source, and where a kind is not
    written out (a copy of another event's kind, or a new kind to check)."""
    kinds: set[str] = set()
    computed: list[str] = []
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            kind = _kind_given(node)
            if isinstance(kind, ast.Constant) and isinstance(kind.value, str):
                kinds.add(kind.value)
            elif kind is not None:
                where = path.relative_to(SOURCE).as_posix()
                computed.append(f"{where}: {ast.unparse(kind)}")
    return kinds, computed


def test_every_event_kind_recorded_has_a_label_and_every_label_is_used():
    kinds, computed = recorded_kinds()

    assert len(kinds) == 30
    assert kinds == set(EVENT_LABELS)
    # The only kind not written out copies a CaseEvent's into its row.
    assert computed == ["web/cases/services.py: event.kind"]


def test_a_label_is_plain_words_with_a_capital():
    for kind, label in EVENT_LABELS.items():
        assert label[0].isupper(), kind
        assert "." not in label, kind
        assert "_" not in label, kind


def test_the_timeline_label_of_an_approval_is_in_words():
    assert Event(kind="letter.approved").label == "Letter approved"
    assert Event(kind="stage 4 ended").label == "Stage 4 ended"


def test_an_old_kind_without_a_label_reads_as_words():
    assert Event(kind="letter.archived").label == "Letter archived"
