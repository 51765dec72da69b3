"""What the apps above one app add to its pages, without that app importing them.

A page that can show others' panels names itself (its URL name, "cases:nominal-risk") and renders
`panels_for(page, user, record)`. An app adds a panel to a page in its AppConfig.ready(): a function
of the viewer and the page's record giving the panel's template and context, or None when it has
nothing to show that viewer. Meetings, for instance, adds the current risk management plan to a
nominal's risk tab.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any]


# Each source is typed by the page that calls it; here it takes the viewer and the page's record.
PanelSource = Callable[[Any, Any], Panel | None]
_SOURCES: dict[str, list[PanelSource]] = {}


def add_panel(page: str, source: PanelSource) -> None:
    if source not in _SOURCES.setdefault(page, []):
        _SOURCES[page].append(source)


def panels_for(page: str, user: AbstractBaseUser, record: Any) -> list[Panel]:
    return [panel for source in _SOURCES.get(page, []) if (panel := source(user, record)) is not None]
