"""The annual report as plain text in the published layout, as CSV and as JSON."""

from __future__ import annotations

import csv
import io
import json
import textwrap

from reporting.annual import AnnualReport, Table

LABEL_WIDTH = 44
COLUMN_WIDTH = 18


def as_text(report: AnnualReport) -> str:
    """The tables as the published report sets them out: titles, headings, rows and totals in order,
    with long headings wrapped over several lines and the figures right-aligned beneath them."""
    blocks = [
        f"{report.title}\n1 April {report.year} to 31 March {report.year + 1}",
        *(_text_table(table) for table in report.tables),
    ]
    return "\n\n".join(blocks) + "\n"


def _text_table(table: Table) -> str:
    lines = [table.title, ""]
    if table.header:
        headings = [
            textwrap.wrap(heading, LABEL_WIDTH if i == 0 else COLUMN_WIDTH) for i, heading in enumerate(table.header)
        ]
        for depth in range(max(len(h) for h in headings)):
            parts = [(h[depth] if depth < len(h) else "") for h in headings]
            lines.append(_line(parts[0], parts[1:]))
    for row in table.rows:
        label = textwrap.wrap(row.label, LABEL_WIDTH)
        for extra in label[:-1]:
            lines.append(extra)
        lines.append(_line(label[-1], [str(cell) for cell in row.cells]))
    if table.note:
        lines += ["", table.note]
    return "\n".join(line.rstrip() for line in lines)


def _line(label: str, cells: list[str]) -> str:
    return label.ljust(LABEL_WIDTH) + "".join(cell.rjust(COLUMN_WIDTH) for cell in cells)


def as_csv(report: AnnualReport) -> str:
    """One block per table: its title, its headings, its rows, then an empty line."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([report.title])
    writer.writerow([f"1 April {report.year} to 31 March {report.year + 1}"])
    for table in report.tables:
        writer.writerow([])
        writer.writerow([table.title])
        if table.header:
            writer.writerow(table.header)
        for row in table.rows:
            writer.writerow([row.label, *row.cells])
        if table.note:
            writer.writerow([table.note])
    return out.getvalue()


def as_json(report: AnnualReport) -> str:
    return json.dumps(report.to_dict(), indent=2) + "\n"
