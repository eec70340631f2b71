"""The dashboard, the policy page and the audit."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from attendwise.core.policy import IMPROVED_SETTINGS, SETTINGS, NodeKind
from attendwise.web.cases.services import SchoolRules
from attendwise.web.register.models import Pupil
from attendwise.web.ui.access import Staff, allow, today
from attendwise.web.ui.dashboard import NATIONAL, dashboard
from attendwise.web.ui.models import AuditEntry
from attendwise.web.ui.roles import AUDIT_READERS, EVERYONE


@allow(EVERYONE)
def dashboard_page(request: HttpRequest, staff: Staff) -> HttpResponse:
    rules = SchoolRules.of(staff.school)
    figures = dashboard(rules, today(), safeguarding=staff.safeguarding)
    return render(
        request,
        "ui/dashboard.html",
        {
            "title": "Dashboard",
            "d": figures,
            "national": NATIONAL,
            "target": rules.policy.setting("school_target"),
        },
    )


def _target_label(policy_nodes: Any, target: str) -> str:
    node = policy_nodes.get(target)
    if node is not None:
        return f"{target}: {node.title}"
    return {
        "monitor": "no further action: monitor",
        "de-escalate": "de-escalate to Stage 1 and monitor",
        "la": "the Local Authority takes over",
        "stage 2": "escalate to Stage 2",
        "stage 3": "escalate to Stage 3",
    }.get(target, target)


@allow(EVERYONE)
def policy_page(request: HttpRequest, staff: Staff) -> HttpResponse:
    policy = SchoolRules.of(staff.school).policy
    pathways = []
    shown: set[str] = set()  # a node reached from two pathways is listed once
    for name, entry in policy.pathways.items():
        seen: list[str] = []
        queue = [entry]
        while queue:
            node_id = queue.pop(0)
            if node_id in seen or node_id in shown or node_id not in policy.nodes:
                continue
            seen.append(node_id)
            shown.add(node_id)
            queue += [target for _, target in policy.node(node_id).targets()]
        nodes = []
        for node_id in seen:
            node = policy.node(node_id)
            nodes.append(
                {
                    "id": node_id,
                    "node": node,
                    "kind": node.kind.value,
                    "role": policy.role_name(node.role) if node.role else "",
                    "check": node.check_after,
                    "edges": [
                        (label, _target_label(policy.nodes, target))
                        for label, target in node.targets()
                    ],
                    "question": node.kind is NodeKind.QUESTION,
                }
            )
        pathways.append({"name": name.replace("stage", "Stage "), "nodes": nodes})
    settings_rows = [
        {
            "name": spec.name,
            "value": policy.setting(spec.name),
            "basis": spec.basis.value,
            "help": spec.help,
        }
        for spec in SETTINGS.values()
    ] + [
        {
            "name": f"improved: {spec.name}",
            "value": getattr(policy.improved, spec.name),
            "basis": spec.basis.value,
            "help": spec.help,
        }
        for spec in IMPROVED_SETTINGS.values()
    ]
    return render(
        request,
        "ui/policy.html",
        {
            "title": "The policy",
            "policy": policy,
            "pathways": pathways,
            "settings_rows": settings_rows,
            "roles": sorted(policy.roles.items()),
        },
    )


#: What a safeguarding entry says to someone who does not see Stage 4: that
#: the pupil's record was opened or changed, and when, but not what it was.
WITHHELD = {
    "opened": "Opened a safeguarding record (ask the safeguarding lead)",
    "changed": "Changed a safeguarding record (ask the safeguarding lead)",
}


def audit_row(entry: AuditEntry, staff: Staff) -> dict[str, Any]:
    """Return what `staff` may read of an audit entry: its summary and action.

    A safeguarding entry shows what it was to the safeguarding lead only;
    anyone else reads that a safeguarding record was opened or changed.
    """
    if not entry.safeguarding or staff.safeguarding:
        return {"entry": entry, "summary": entry.summary, "action": entry.action}
    opened = entry.action.endswith((".opened", ".viewed"))
    return {
        "entry": entry,
        "summary": WITHHELD["opened" if opened else "changed"],
        "action": "safeguarding",
    }


@allow(AUDIT_READERS)
def audit_page(request: HttpRequest, staff: Staff) -> HttpResponse:
    entries = AuditEntry.objects.filter(school=staff.school).select_related(
        "user", "pupil"
    )
    pupil = None
    pupil_id = request.GET.get("pupil", "")
    if pupil_id.isdigit():
        pupil = get_object_or_404(Pupil, pk=int(pupil_id), school=staff.school)
        entries = entries.filter(pupil=pupil)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "ui/audit.html",
        {
            "title": "Audit",
            "page": page,
            "rows": [audit_row(entry, staff) for entry in page],
            "pupil": pupil,
        },
    )
