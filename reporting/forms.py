"""The statistics pages' choices: which months and district, which reporting year."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from agencies.models import Area, District
from mappa.forms import GovForm
from reporting.kpis import Period, month_end

MONTHS_OFFERED = 60
LONGEST_PERIOD = 36


class PeriodForm(GovForm):
    """A period of whole months and, optionally, one district. Unbound, it means the last 12 months."""

    since = forms.TypedChoiceField(label="From", coerce=datetime.date.fromisoformat)
    until = forms.TypedChoiceField(label="To", coerce=datetime.date.fromisoformat)
    district = forms.ModelChoiceField(queryset=District.objects.none(), required=False, empty_label="All districts")

    def __init__(self, *args: Any, area: Area, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        months = reversed(Period.months_to(today, MONTHS_OFFERED).months)
        choices = [(month.isoformat(), f"{month:%B %Y}") for month in months]
        self.fields["since"].choices = choices  # type: ignore[attr-defined]
        self.fields["until"].choices = choices  # type: ignore[attr-defined]
        self.fields["district"].queryset = area.districts.order_by("name")  # type: ignore[attr-defined]
        default = Period.months_to(today, 12)
        self.initial.setdefault("since", default.since.isoformat())
        self.initial.setdefault("until", today.replace(day=1).isoformat())
        self.today = today

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until:
            if since > until:
                self.add_error("until", "The end of the period must be the same month as the start or later")
            elif len(Period(since, until).months) > LONGEST_PERIOD:
                self.add_error("until", f"Choose a period of {LONGEST_PERIOD} months or fewer")
        return data

    def period(self) -> Period:
        """The chosen period: call after is_valid(), or on an unbound form for the default."""
        if not self.is_bound:
            return Period.months_to(self.today, 12)
        data = self.cleaned_data
        return Period(since=data["since"], until=month_end(data["until"]), district=data["district"])


def latest_reporting_year(today: datetime.date) -> int:
    """The reporting year (named by the year it starts) that today falls in."""
    return today.year if today >= datetime.date(today.year, 4, 1) else today.year - 1


class AnnualReportForm(GovForm):
    year = forms.TypedChoiceField(label="Reporting year", coerce=int)

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        latest = latest_reporting_year(today)
        self.fields["year"].choices = [  # type: ignore[attr-defined]
            (year, f"1 April {year} to 31 March {year + 1}" + (" (so far)" if year == latest else ""))
            for year in range(latest, 1999, -1)
        ]
        self.initial.setdefault("year", latest - 1)
