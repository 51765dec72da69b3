"""The offences the MAPPA category rules name, read from `offences.toml` beside this module: each
with its statute and the lists it is on (Schedule 18 to the Sentencing Act 2020, Schedule 3 to the
Sexual Offences Act 2003, ...), so that the rules ask a list, not a hand-typed name."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("offences.toml")
MURDER = "murder"
SPECIFIED = frozenset({"sch18-violent", "sch18-sexual", "sch18-terrorism"})
CCB = "ccb"
NOTIFIABLE = "sch3"


@dataclass(frozen=True)
class Offence:
    code: str
    title: str
    statute: str
    lists: frozenset[str]
    condition: str = ""

    @property
    def murder_or_specified(self) -> bool:
        """Murder or an offence specified in Schedule 18 (formerly Criminal Justice Act 2003 Schedule 15)."""
        return MURDER in self.lists or bool(SPECIFIED & self.lists)

    @property
    def controlling_or_coercive(self) -> bool:
        return CCB in self.lists

    @property
    def notifiable(self) -> bool:
        return NOTIFIABLE in self.lists

    @property
    def label(self) -> str:
        return f"{self.title} ({self.statute})"


@cache
def _load() -> tuple[dict[str, str], dict[str, Offence]]:
    with DATA.open("rb") as file:
        data = tomllib.load(file)
    lists: dict[str, str] = data["lists"]
    offences = {}
    for entry in data["offence"]:
        unknown = set(entry.get("lists", [])) - set(lists)
        if unknown or entry["code"] in offences:
            raise ValueError(f"{DATA}: offence {entry['code']!r} is repeated or names unknown lists {unknown}")
        offences[entry["code"]] = Offence(
            code=entry["code"],
            title=entry["title"],
            statute=entry["statute"],
            lists=frozenset(entry.get("lists", [])),
            condition=entry.get("condition", ""),
        )
    return lists, offences


def offence(code: str) -> Offence | None:
    return _load()[1].get(code)


def all_offences() -> list[Offence]:
    return sorted(_load()[1].values(), key=lambda o: o.title.lower())


def list_sources() -> dict[str, str]:
    """Each list's key and the legislation it is taken from."""
    return dict(_load()[0])


def choices() -> list[tuple[str, str]]:
    return [(o.code, o.label) for o in all_offences()]
