"""Readiness checks the apps add to /readyz beside the core's own (the database and the broker).

An app registers a check in its AppConfig.ready(): a function returning the figures it reports,
among them one status under the key it names (`status`), "ok" when ready; and, for a check that reads
the database, what it reports when the database is down and the check cannot run. Registering keeps the core from importing the apps
whose health it reports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Check = Callable[[], dict[str, object]]


@dataclass(frozen=True)
class Readiness:
    check: Check
    status: str
    without_database: dict[str, object] | None


CHECKS: list[Readiness] = []


def register(check: Check, *, status: str, without_database: dict[str, object] | None = None) -> None:
    if all(known.check is not check for known in CHECKS):
        CHECKS.append(Readiness(check, status, without_database))


def statuses() -> set[str]:
    return {"database", "broker", *(known.status for known in CHECKS)}
