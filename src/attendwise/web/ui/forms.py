"""The forms that complete worklist items and take case actions.

Each form validates what a person typed; the services decide whether it
fits the case (their errors are shown on the same form).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from attendwise.core.codes import ALL_CODES
from attendwise.web.cases.models import Task
from attendwise.web.cases.services import CALL

CALL_OPTIONS = ("reached: reason given", "reached: no reason given", "not reached")


def error_summary(form: forms.Form) -> list[dict[str, str]]:
    """Return the form's errors for the error summary: field id and message."""
    found = []
    for name, errors in form.errors.items():
        for error in errors:
            field = "" if name == "__all__" else f"field-{name}"
            found.append({"field": field, "message": str(error)})
    return found


def _date_field(label: str, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"Enter the {label.lower()} as a real date, like 17/11/2025",
        },
    )


class TaskForm(forms.Form):
    """Confirm or dismiss (the default for steps, escalations, ongoing items)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        choices=[("confirm", "Confirm"), ("dismiss", "Dismiss")],
        error_messages={"required": "Choose confirm or dismiss"},
    )
    option = forms.CharField(required=False, max_length=100)
    reason = forms.CharField(required=False, max_length=2000)

    def __init__(self, task: Task, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.task = task
        options = list(task.payload.get("options") or [])
        if options:
            self.fields["option"] = forms.ChoiceField(
                choices=[(o, o) for o in options],
                required=False,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "dismiss" and not data.get("reason", "").strip():
            self.add_error("reason", "Say why you are dismissing this item")
        if (
            data.get("decision") == "confirm"
            and isinstance(self.fields["option"], forms.ChoiceField)
            and not data.get("option")
        ):
            self.add_error("option", "Choose an answer")
        return data

    def action(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "action": data["decision"],
            "option": data.get("option") or "",
            "reason": data.get("reason", ""),
        }


class RegisterForm(TaskForm):
    """An N past its deadline: confirm O, enter the right code, or dismiss."""

    code = forms.CharField(required=False, max_length=2, initial="O")

    def clean_code(self) -> str:
        code = str(self.cleaned_data.get("code") or "O").strip().upper()
        if code not in ALL_CODES or code == "N":
            raise forms.ValidationError(
                "Enter a register code other than N, such as O or I"
            )
        return code

    def action(self) -> dict[str, Any]:
        values = super().action()
        values["option"] = self.cleaned_data.get("code", "O")
        return values


class CallForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    option = forms.ChoiceField(
        choices=[(o, o.capitalize()) for o in CALL_OPTIONS],
        error_messages={"required": "Choose what happened on the call"},
    )
    reason = forms.CharField(required=False, max_length=2000)

    def __init__(self, task: Task, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.task = task

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("option") == "reached: reason given"
            and not data.get("reason", "").strip()
        ):
            self.add_error("reason", "Write the reason the parent gave")
        return data

    def action(self) -> dict[str, Any]:
        return {
            "action": "answer",
            "option": self.cleaned_data["option"],
            "reason": self.cleaned_data.get("reason", ""),
        }


class DecisionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    option = forms.ChoiceField(error_messages={"required": "Choose an answer"})
    reason = forms.CharField(required=False, max_length=2000)
    decision = forms.CharField(required=False)

    def __init__(self, task: Task, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.task = task
        options = list(task.payload.get("options") or [])
        field = self.fields["option"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(o, o) for o in options]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "dismiss" and not data.get("reason", "").strip():
            self.add_error("reason", "Say why you are dismissing this item")
        return data

    def action(self) -> dict[str, Any]:
        return {
            "action": "answer",
            "option": self.cleaned_data["option"],
            "reason": self.cleaned_data.get("reason", ""),
        }


class CheckForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    option = forms.ChoiceField(
        choices=[("improved", "Improved"), ("not improved", "Not improved")],
        error_messages={"required": "Choose improved or not improved"},
    )
    reason = forms.CharField(
        max_length=2000, error_messages={"required": "Say why you decided this"}
    )

    def __init__(self, task: Task, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.task = task

    def action(self) -> dict[str, Any]:
        return {
            "action": "check decision",
            "option": self.cleaned_data["option"],
            "reason": self.cleaned_data["reason"],
        }


class MeetingForm(forms.Form):
    """A meeting and its outcome; the panel (C2) adds the Appendix C fields."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    held = forms.ChoiceField(
        choices=[("yes", "Yes"), ("no", "No, it was not held")],
        error_messages={"required": "Say whether the meeting was held"},
    )
    held_on = _date_field("Date of the meeting", required=False)
    attended = forms.ChoiceField(choices=[("yes", "Yes"), ("no", "No")], required=False)
    reason_satisfactory = forms.ChoiceField(
        choices=[("yes", "Yes"), ("no", "No")], required=False
    )
    notes = forms.CharField(required=False, max_length=4000)
    # The panel meeting (Appendix C)
    parents = forms.CharField(required=False, max_length=4000)
    siblings = forms.CharField(required=False, max_length=4000)
    early_help = forms.ChoiceField(
        choices=[("yes", "Yes"), ("no", "No")], required=False
    )
    review_set_up = forms.BooleanField(required=False)

    def __init__(self, task: Task, panel: bool, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.task = task
        self.panel = panel

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("held") == "yes":
            held_on: dt.date | None = data.get("held_on")
            if held_on is None and "held_on" not in self.errors:
                self.add_error("held_on", "Enter the date of the meeting")
            if not data.get("attended"):
                self.add_error("attended", "Say whether the parents attended")
        if self.panel and data.get("held") == "yes" and data.get("attended") == "yes":
            if not data.get("parents", "").strip():
                self.add_error(
                    "parents",
                    "List everyone with parental responsibility, with dates of birth",
                )
            if not data.get("early_help"):
                self.add_error(
                    "early_help", "Say whether the Early Help Unit is to be used"
                )
        return data

    def action(self) -> dict[str, Any]:
        data = self.cleaned_data
        held = data["held"] == "yes"
        details: dict[str, Any] = {"notes": data.get("notes", "")}
        if self.panel:
            details |= {
                "parents": data.get("parents", ""),
                "siblings": data.get("siblings", ""),
                "early_help": data.get("early_help", ""),
                "review_period_set_up": bool(data.get("review_set_up")),
            }
        return {
            "action": "record meeting",
            "held_on": data.get("held_on") if held else None,
            "attended": held and data.get("attended") == "yes",
            "reason_satisfactory": held and data.get("reason_satisfactory") == "yes",
            "details": details,
        }


class CaseActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(max_length=4000, error_messages={"required": "Say why"})
    stage = forms.TypedChoiceField(
        choices=[("2", "Stage 2"), ("3", "Stage 3")], coerce=int, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == "escalate" and not data.get("stage"):
            self.add_error("stage", "Choose the stage to escalate to")
        return data


YES_NO = [("yes", "Yes"), ("no", "No")]


class ContactSettingsForm(forms.Form):
    """A contact's court-order bar and correspondence, as staff set them.

    `seen_bar` and `seen_correspondence` carry what the person saw, so the
    change is a compare-and-set.
    """

    court_order_bar = forms.ChoiceField(
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether a court order bars this contact"},
    )
    receives_correspondence = forms.ChoiceField(
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether this contact receives letters"},
    )
    reason = forms.CharField(
        max_length=4000, error_messages={"required": "Say why this changes"}
    )
    seen_bar = forms.ChoiceField(choices=YES_NO, widget=forms.HiddenInput)
    seen_correspondence = forms.ChoiceField(choices=YES_NO, widget=forms.HiddenInput)


def form_for(task: Task, panel: bool, data: Any = None) -> forms.Form:
    """Return the form that completes `task` (bound to `data` when posted)."""
    if task.kind == CALL:
        return CallForm(task, data)
    if task.kind == "meeting":
        return MeetingForm(task, panel, data)
    if task.kind == "check":
        return CheckForm(task, data)
    if task.kind == "decision":
        return DecisionForm(task, data)
    if task.key.startswith("NO/"):
        return RegisterForm(task, data)
    return TaskForm(task, data)
