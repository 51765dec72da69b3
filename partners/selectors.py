"""What a partner system may see: the nominals of its area, never Category 4 (whose records only
people cleared for it may see), matched by the identifiers other systems hold."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.db.models import Q, QuerySet

from cases.models import Category, Location, Nominal, Status
from partners.models import PartnerSystem

IDENTIFIERS = ("pnc_id", "prison_number", "crn", "visor_reference")


class AmbiguousMatch(Exception):
    """The identifiers given name more than one person, or disagree with the record they name."""


def nominals_for_partner(partner: PartnerSystem) -> QuerySet[Nominal]:
    return Nominal.objects.filter(area_id=partner.agency.area_id).exclude(category=Category.TERRORISM)


def nominal_matching(partner: PartnerSystem, identifiers: Mapping[str, str | None]) -> Nominal | None:
    """The one nominal the partner may see whose identifiers agree with every identifier given.

    Each identifier is unique on its own, so the people it names are found one identifier at a time:
    two identifiers naming two different people is an ambiguous match, never a guess, and so is a
    person whose record holds a different value for an identifier given (the records disagree); an
    identifier the record does not hold yet does not count against it. Only the records the partner
    may see are looked at (its area, never Category 4), so that no answer tells whether anyone else
    holds an identifier."""
    given = {field: value.strip().upper() for field, value in identifiers.items() if value and value.strip()}
    if not given:
        return None
    query = Q()
    for field, value in given.items():
        query |= Q(**{field: value})
    found = list(nominals_for_partner(partner).filter(query).only("pk", *IDENTIFIERS).order_by("pk")[:2])
    if not found:
        return None
    if len(found) > 1 or any(getattr(found[0], field) not in ("", value) for field, value in given.items()):
        raise AmbiguousMatch
    return Nominal.objects.select_related("lead_agency", "area").get(pk=found[0].pk)


def nominal_visible_to_partner(partner: PartnerSystem, nominal_id: int) -> bool:
    return nominals_for_partner(partner).filter(pk=nominal_id).exists()


def expected_releases(partner: PartnerSystem, *, start: datetime.date, end: datetime.date) -> QuerySet[Nominal]:
    """People of the partner's area in custody or hospital whose expected release falls in the window."""
    return (
        nominals_for_partner(partner)
        .filter(
            status=Status.ACTIVE,
            location__in=[Location.CUSTODY, Location.HOSPITAL],
            expected_release_date__range=(start, end),
        )
        .order_by("expected_release_date", "case_reference")
    )
