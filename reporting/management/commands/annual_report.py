from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agencies.models import Area
from reporting.annual import annual_report
from reporting.render import as_csv, as_json, as_text

FORMATS = {"table": as_text, "csv": as_csv, "json": as_json}


class Command(BaseCommand):
    help = "Print an area's MAPPA annual report tables for the year starting 1 April YYYY."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--area", required=True, help="The area's code, such as KENT.")
        parser.add_argument("--year", required=True, type=int, help="The year the reporting period starts.")
        parser.add_argument("--format", choices=sorted(FORMATS), default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        area = Area.objects.filter(code__iexact=options["area"]).first()
        if area is None:
            codes = ", ".join(Area.objects.order_by("code").values_list("code", flat=True)) or "none yet"
            raise CommandError(f"There is no area with the code {options['area']} (areas: {codes})")
        if not 2000 <= options["year"] <= 2100:
            raise CommandError("The year must be a year such as 2024, for 1 April 2024 to 31 March 2025")
        report = annual_report(area, options["year"])
        self.stdout.write(FORMATS[options["format"]](report), ending="")
