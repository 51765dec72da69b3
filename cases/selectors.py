"""Reads of nominal records: the list with its search, filters and sorting; a nominal's record."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import OrderBy
from django.utils import timezone

from agencies.models import Agency, User
from cases.models import (
    CATEGORY_2_ORDERS,
    NOTIFYING_ORDERS,
    Category,
    CategoryPeriod,
    Conviction,
    LevelPeriod,
    Location,
    Nominal,
    NominalGroupObjectPermission,
    NominalName,
    Order,
    Status,
)
from cases.policy import VIEW, VIEW_RESTRICTED, nominal_grounds, union_all
from mappa.pages import Listing

IDENTIFIER_FIELDS = [
    (re.compile(r"^(\d{2}|\d{4})/\d{1,7}[A-Z]$"), "pnc_id"),
    (re.compile(r"^[A-Z]\d{6}$"), "crn"),
    (re.compile(r"^[A-Z]\d{4}[A-Z]{2}$"), "prison_number"),
    (re.compile(r"^\d{6,10}$"), "visor_reference"),
]

# What a list or export shows of each nominal, and what it may be sorted by.
LISTED_FIELDS = [
    "case_reference",
    "first_name",
    "last_name",
    "date_of_birth",
    "category",
    "level",
    "location",
    "status",
    "updated_at",
    "district__name",
    "lead_agency__name",
]

SORTS = {
    "name": ["last_name", "first_name", "pk"],
    "reference": ["case_reference"],
    "category": ["category", "-level", "last_name", "pk"],
    "level": ["-level", "category", "last_name", "pk"],
    "updated": ["-updated_at", "pk"],
}


@dataclass(frozen=True)
class NominalFilters:
    q: str = ""
    category: int | None = None
    level: int | None = None
    district_id: int | None = None
    lead_agency_id: int | None = None
    location: str = ""
    status: str = "active"
    eligibility_ended: bool = False
    sort: str = ""


def _identifier_query(term: str) -> Q | None:
    upper = term.strip().upper()
    for pattern, field in IDENTIFIER_FIELDS:
        if pattern.match(upper):
            return Q(**{field: upper})
    return None


def _name_key(term: str) -> str:
    """A search term as names are stored: lower case, single spaces."""
    return " ".join(term.lower().split())


def _names_matching(term: str) -> QuerySet[NominalName]:
    """Names like `term`: trigram similarity on PostgreSQL (typos and partial names), words on SQLite."""
    name = _name_key(term)
    names = NominalName.objects.all()
    if connection.vendor == "postgresql":
        return names.filter(Q(name__trigram_similar=name) | Q(name__trigram_word_similar=name))
    for word in name.split():
        names = names.filter(name__contains=word)
    return names


def _nominal_ids_matching(term: str) -> list[int]:
    """The people with a name like `term` on PostgreSQL, found once per search: the trigram index is
    lossy, and re-checking its candidates is most of a search's work, which the count and the page
    would otherwise each repeat. The two kinds of likeness are asked for apart and the answers
    joined, since under OR every candidate of either is re-checked against both."""
    name = _name_key(term)
    names = NominalName.objects.order_by().values_list("nominal_id", flat=True)
    similar = names.filter(name__trigram_similar=name)
    return sorted(set(similar.union(names.filter(name__trigram_word_similar=name))))


def nominal_list(user: User, filters: NominalFilters) -> Listing:
    """The nominals the user may see, searched, filtered and sorted, and a query counting them;
    ready to paginate.

    Each ground on which the user sees nominals is filtered on its own and the sets are joined with
    UNION ALL, so that PostgreSQL sorts a few thousand led or shared nominals and takes the page
    from them, instead of fetching every one by its id first."""
    matching = Q(status=filters.status) if filters.status else Q()
    if filters.eligibility_ended:
        matching &= eligibility_ended_on(timezone.localdate())
    for field, value in [
        ("category", filters.category),
        ("level", filters.level),
        ("district_id", filters.district_id),
        ("lead_agency_id", filters.lead_agency_id),
        ("location", filters.location or None),
    ]:
        if value is not None:
            matching &= Q(**{field: value})
    order: list[str | OrderBy] = list(SORTS.get(filters.sort, SORTS["name"]))
    best_match: Subquery | None = None
    if filters.q:
        identifier = _identifier_query(filters.q)
        if identifier is not None:
            matching &= identifier
        else:
            names = _names_matching(filters.q)
            if connection.vendor != "postgresql":
                matching &= Q(pk__in=names.values("nominal_id"))
            else:
                matching &= Q(pk__in=_nominal_ids_matching(filters.q))
                if not filters.sort:
                    best_match = Subquery(
                        names.filter(nominal_id=OuterRef("pk"))
                        .annotate(similarity=TrigramSimilarity("name", _name_key(filters.q)))
                        .order_by("-similarity")
                        .values("similarity")[:1]
                    )
                    order = [F("match").desc(nulls_last=True), "pk"]
    grounds = [ground.filter(matching) for ground in nominal_grounds(user)]
    if not grounds:
        return Listing(Nominal.objects.none(), Nominal.objects.none())
    sets = [ground.select_related("district", "lead_agency").only(*LISTED_FIELDS) for ground in grounds]
    if best_match is not None:
        sets = [nominals.annotate(match=best_match) for nominals in sets]
    return Listing(union_all(sets).order_by(*order), union_all([ground.values("pk") for ground in grounds]))


def orders_in_force(day: datetime.date | OuterRef | F, *, kinds: tuple[str, ...]) -> Q:
    """Orders of these kinds in force on `day` (see `Order.in_force_on`)."""
    return (
        Q(kind__in=kinds, start__lte=day)
        & (Q(revoked_on__isnull=True) | Q(revoked_on__gt=day))
        & (Q(indefinite=True) | Q(end__isnull=True) | Q(end__gte=day))
    )


def eligibility_ended_on(day: datetime.date) -> Q:
    """Active nominals whom nothing keeps MAPPA-eligible on `day` any longer: Category 1 with no
    notification requirements (or Notification Order or SHPO) in force, Category 2 in the community
    with no licence or hospital or guardianship order in force and no sentence still to expire. The co-ordinator is prompted to
    record their exit (see `eligibility.eligibility_ended`)."""
    orders = Order.objects.filter(nominal_id=OuterRef("pk"))
    notified = Exists(orders.filter(orders_in_force(day, kinds=NOTIFYING_ORDERS)))
    held = Exists(orders.filter(orders_in_force(day, kinds=CATEGORY_2_ORDERS)))
    serving = Exists(
        Conviction.objects.filter(nominal_id=OuterRef("pk"), conviction_date__lte=day, sentence_expiry_date__gte=day)
    )
    return Q(status=Status.ACTIVE) & (
        (Q(category=Category.REGISTERED_SEXUAL_OFFENDER) & ~notified)
        | (Q(category=Category.VIOLENT_OFFENDER, location=Location.COMMUNITY) & ~held & ~serving)
    )


def nominal_shares(nominal: Nominal) -> list[dict[str, Any]]:
    """The agencies a nominal is shared with, and whether each share includes restricted details."""
    grants = NominalGroupObjectPermission.objects.filter(content_object=nominal).values_list(
        "group_id", "permission__codename"
    )
    by_group: dict[int, set[str]] = {}
    for group_id, codename in grants:
        by_group.setdefault(group_id, set()).add(codename)
    agencies = Agency.objects.filter(group_id__in=by_group).order_by("name")
    return [
        {"agency": agency, "restricted": VIEW_RESTRICTED in by_group[agency.group_id]}
        for agency in agencies
        if VIEW in by_group[agency.group_id]
    ]


def nominal_record(nominal_pk: int) -> Nominal:
    """One nominal with everything its pages show, in a fixed number of queries."""
    return (
        Nominal.objects.select_related("area", "district", "lead_agency", "offender_manager")
        .prefetch_related(
            "episodes__exit__decided_by",
            "aliases",
            "convictions",
            "orders",
            "events__to_area",
            "events__from_area",
            "risk_assessments__agency",
            "category_periods__decided_by",
            "level_periods__decided_by",
        )
        .get(pk=nominal_pk)
    )


def managed_on(nominal: Nominal, day: datetime.date) -> tuple[int, int]:
    """The person's category and level on a day, from their histories (their current ones where the
    day falls outside every period recorded)."""

    def covering(periods: QuerySet[Any]) -> QuerySet[Any]:
        return periods.filter(Q(end__isnull=True) | Q(end__gte=day), nominal=nominal, start__lte=day).order_by("-start")

    category = covering(CategoryPeriod.objects.all()).values_list("category", flat=True).first()
    level = covering(LevelPeriod.objects.all()).values_list("level", flat=True).first()
    return (category or nominal.category, level or nominal.level)
