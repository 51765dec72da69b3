"""Forms of the board's pages. They validate and normalise; governance.services writes."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from governance.models import Answer, MeetingAudit, quarter_name, quarter_start
from mappa.forms import GovForm, GovModelForm


def ended_quarters(today: datetime.date, count: int = 4) -> list[datetime.date]:
    quarters, start = [], quarter_start(today)
    for _ in range(count):
        start = quarter_start(start - datetime.timedelta(days=1))
        quarters.append(start)
    return quarters


class DrawForm(GovForm):
    quarter = forms.TypedChoiceField(label="Quarter", coerce=datetime.date.fromisoformat)

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = [(q.isoformat(), quarter_name(q)) for q in ended_quarters(today)]  # type: ignore[attr-defined]


class ChecklistForm(GovModelForm):
    class Meta:
        model = MeetingAudit
        fields = ["right_agencies", "plan_defensible", "actions_on_time", "notes"]
        widgets = {
            "right_agencies": forms.RadioSelect,
            "plan_defensible": forms.RadioSelect,
            "actions_on_time": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("right_agencies", "plan_defensible", "actions_on_time"):
            field = self.fields[name]
            field.required = True
            field.choices = Answer.choices  # type: ignore[attr-defined]
            field.error_messages["required"] = "Answer each question of the checklist"

    def _post_clean(self) -> None:
        pass


class BoardYearForm(GovForm):
    year = forms.TypedChoiceField(label="Reporting year", coerce=int)

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = today.year if today.month >= 4 else today.year - 1
        years = range(current, current - 5, -1)
        self.fields["year"].choices = [(y, f"1 April {y} to 31 March {y + 1}") for y in years]  # type: ignore[attr-defined]
