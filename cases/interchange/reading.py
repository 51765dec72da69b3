"""Reading the folder: each file's rows with their line numbers, each cell parsed as its column
needs, and every problem kept as a refusal naming the file, the line and the column."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from cases.interchange import columns

Choice = TypeVar("Choice", str, int)
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
WHOLE_NUMBER = re.compile(r"[0-9]+")


class FolderUnreadable(Exception):
    """The folder itself cannot be read as an import; the message says why."""


@dataclass(frozen=True)
class Refusal:
    file: str
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}, line {self.line}, {self.column or 'row'}: {self.reason}"


class Row:
    """One line of a file. Parsing a cell never raises: a bad value is refused and read as empty,
    so that every problem of every row is found in one pass."""

    def __init__(self, file: str, line: int, cells: Mapping[str, str], refusals: list[Refusal]) -> None:
        self.file, self.line, self.cells = file, line, cells
        self._refusals = refusals
        self.refused_columns: set[str] = set()

    @property
    def refused(self) -> bool:
        return bool(self.refused_columns)

    def refuse(self, column: str, reason: str) -> None:
        self.refused_columns.add(column)
        self._refusals.append(Refusal(self.file, self.line, column, reason))

    def refuse_invalid(self, error: ValidationError) -> None:
        """Refuse each field's problems under its column, unless the column was refused already
        (a date that did not parse is not also 'required')."""
        for field, messages in error.message_dict.items():
            column = "" if field == NON_FIELD_ERRORS else field
            if column not in self.refused_columns:
                self.refuse(column, " ".join(messages))

    def text(self, column: str) -> str:
        return columns.unguarded(self.cells[column].strip())

    def required(self, column: str) -> str:
        value = self.text(column)
        if not value:
            self.refuse(column, "Required")
        return value

    def date(self, column: str, *, required: bool = False) -> datetime.date | None:
        value = self.text(column)
        if not value:
            if required:
                self.refuse(column, "Required: a date as YYYY-MM-DD")
            return None
        day = _iso_date(value)
        if day is None:
            self.refuse(column, f"{value!r} is not a date as YYYY-MM-DD")
        return day

    def number(self, column: str, *, required: bool = False) -> int | None:
        value = self.text(column)
        if not value:
            if required:
                self.refuse(column, "Required: a whole number")
            return None
        if not WHOLE_NUMBER.fullmatch(value):
            self.refuse(column, f"{value!r} is not a whole number")
            return None
        return int(value)

    def yes_no(self, column: str, *, default: bool = False) -> bool:
        value = self.text(column).lower()
        if not value:
            return default
        if value not in (columns.YES, columns.NO):
            self.refuse(column, f"{value!r} is not yes or no")
            return default
        return value == columns.YES

    def choice(self, column: str, allowed: Iterable[Choice], *, required: bool = True) -> Choice | None:
        """The cell as one of the allowed values (numbers for numbered choices), or None."""
        options = {str(option): option for option in allowed}
        value = self.text(column)
        if not value and not required:
            return None
        if value not in options:
            self.refuse(column, f"{value!r} is not one of: {', '.join(options)}" if value else "Required")
            return None
        return options[value]


def _iso_date(value: str) -> datetime.date | None:
    """YYYY-MM-DD only: Python would also read 20240401 or 2024-W14-1, which no one means."""
    try:
        return datetime.date.fromisoformat(value) if ISO_DATE.fullmatch(value) else None
    except ValueError:
        return None


def read_folder(folder: Path, refusals: list[Refusal]) -> dict[str, list[Row]]:
    """Every row of every file of the format in `folder` (a file left out has no rows). A file the
    format does not know is refused, so that a misspelt name cannot quietly leave records out."""
    if not folder.is_dir():
        raise FolderUnreadable(f"{folder} is not a folder")
    present = {path.name for path in folder.iterdir() if path.is_file() and path.suffix.lower() == ".csv"}
    if not present & set(columns.FILES):
        raise FolderUnreadable(f"{folder} has none of the files of the import format ({', '.join(columns.FILES)})")
    for name in sorted(present - set(columns.FILES)):
        refusals.append(
            Refusal(name, 1, "", f"Not a file of the import format (its files: {', '.join(columns.FILES)})")
        )
    return {name: _read(folder / name, name, refusals) if name in present else [] for name in columns.FILES}


def _read(path: Path, name: str, refusals: list[Refusal]) -> list[Row]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        refusals.append(Refusal(name, 1, "", f"Not UTF-8 text (byte {error.start}): save it as CSV UTF-8"))
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [cell.strip() for cell in next(reader, [])]
    expected = columns.COLUMNS[name]
    problems = [f"missing column {column}" for column in expected if column not in header]
    problems += [f"unknown column {column!r}" for column in header if column not in expected]
    problems += [f"column {column} twice" for column in set(header) if header.count(column) > 1]
    if problems:
        refusals.append(Refusal(name, 1, "", f"Header row: {'; '.join(problems)}"))
        return []
    rows = []
    line = reader.line_num + 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            row = Row(name, line, dict(zip(header, cells, strict=False)), refusals)
            if len(cells) != len(header):
                row.refuse("", f"{len(cells)} cells where the header has {len(header)}")
            else:
                rows.append(row)
        line = reader.line_num + 1
    return rows
