"""What the apps above `cases` add to a nominal's pages, without `cases` importing them.

An app adds a panel for a tab in its AppConfig.ready(): a function of the viewer and the nominal
giving the panel's template and context, or None when it has nothing to show that viewer. Meetings,
for instance, adds the current risk management plan to the risk tab.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agencies.models import User
from cases.models import Nominal


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any]


PanelSource = Callable[[User, Nominal], Panel | None]
_SOURCES: dict[str, list[PanelSource]] = {}


def add_panel(tab: str, source: PanelSource) -> None:
    if source not in _SOURCES.setdefault(tab, []):
        _SOURCES[tab].append(source)


def panels_for(tab: str, user: User, nominal: Nominal) -> list[Panel]:
    return [panel for source in _SOURCES.get(tab, []) if (panel := source(user, nominal)) is not None]
