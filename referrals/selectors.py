"""Reads of referrals and panels: the queue, an agency's referrals, possible duplicates, KPIs."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, DurationField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery

from agencies.models import Area, User
from cases.models import Location, Nominal, NominalName, Status
from cases.policy import nominals_visible_to
from mappa.dates import add_months
from referrals.models import LATE_MONTHS_BEFORE_RELEASE, PanelItem, Referral, ReferralStatus
from referrals.policy import referrals_visible_to


def referral_queue(
    user: User, *, status: str = "", late_only: bool = False, order: str = "oldest"
) -> QuerySet[Referral]:
    """The co-ordinator's queue: referrals sent to the unit, with the panel each is listed on."""
    referrals = (
        referrals_visible_to(user)
        .filter(area_id=user.agency.area_id)  # type: ignore[union-attr]
        .exclude(status=ReferralStatus.DRAFT)
        .select_related("referring_agency", "referrer")
        .annotate(
            listed_on=Subquery(PanelItem.objects.filter(referral=OuterRef("pk"), decision="").values("panel__date")[:1])
        )
    )
    if status:
        referrals = referrals.filter(status=status)
    else:
        referrals = referrals.filter(status__in=[ReferralStatus.SUBMITTED, ReferralStatus.MORE_INFORMATION])
    if late_only:
        referrals = referrals.filter(late=True)
    ordering = {
        "oldest": ["submitted_at", "pk"],
        "newest": ["-submitted_at", "-pk"],
        "release": ["expected_release_date", "pk"],
    }
    return referrals.order_by(*ordering.get(order, ordering["oldest"]))


def referrals_waiting_for_a_panel(user: User) -> QuerySet[Referral]:
    """Submitted referrals not yet on any panel's agenda."""
    return referral_queue(user, status=ReferralStatus.SUBMITTED).exclude(panel_items__decision="")


def agency_referrals(user: User) -> QuerySet[Referral]:
    """The referrals the user's agency has made, newest first, with their latest screening decision."""
    return (
        Referral.objects.filter(referring_agency_id=user.agency_id)
        .select_related("referrer")
        .annotate(
            decision=Subquery(
                PanelItem.objects.filter(referral=OuterRef("pk"))
                .exclude(decision="")
                .order_by("-decided_at")
                .values("decision")[:1]
            )
        )
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class PossibleMatches:
    visible: list[Nominal]
    hidden: int  # matches the referrer may not see: the unit checks them at screening


def possible_matches(user: User, referral: Referral) -> PossibleMatches:
    """Existing nominals that may be the person referred: an identifier in common, or a similar
    name or alias with the same date of birth."""
    same = Q(pk__in=[])
    for field in ("pnc_id", "crn", "visor_reference", "prison_number"):
        value = getattr(referral, field)
        if value:
            same |= Q(**{field: value})
    if referral.date_of_birth and referral.last_name:
        names = NominalName.objects.filter(nominal__date_of_birth=referral.date_of_birth)
        full = " ".join(f"{referral.first_name} {referral.last_name}".lower().split())
        if connection.vendor == "postgresql":
            names = names.filter(
                Q(name__trigram_similar=full) | Q(name__trigram_word_similar=referral.last_name.lower())
            )
        else:
            # Without trigrams: the same date of birth and a name sharing the surname's first letters.
            names = names.filter(name__contains=referral.last_name.lower()[:3])
        same |= Q(pk__in=names.values("nominal_id"))
    matches = Nominal.objects.filter(same, area_id=referral.area_id)
    visible = list(matches.filter(pk__in=nominals_visible_to(user).values("pk")).select_related("lead_agency")[:10])
    hidden = matches.exclude(pk__in=[nominal.pk for nominal in visible]).count()
    return PossibleMatches(visible=visible, hidden=hidden)


@dataclass(frozen=True)
class ReferralKPIs:
    decided: int
    median_days: float | None
    p90_days: float | None
    within_target: int
    custodial: int
    custodial_on_time: int

    @property
    def within_target_share(self) -> float | None:
        return self.within_target / self.decided if self.decided else None

    @property
    def custodial_on_time_share(self) -> float | None:
        return self.custodial_on_time / self.custodial if self.custodial else None


def _percentile_days(durations: QuerySet[Referral], count: int, fraction: float) -> float | None:
    """The nearest-rank percentile of `wait`, found by the database (ORDER BY ... OFFSET)."""
    if not count:
        return None
    rank = max(1, math.ceil(round(fraction * count, 6)))
    wait: datetime.timedelta = durations.order_by("wait").values_list("wait", flat=True)[rank - 1]  # type: ignore[misc]
    return round(wait.total_seconds() / 86400, 1)


def referral_kpis(area: Area, *, since: datetime.datetime, until: datetime.datetime) -> ReferralKPIs:
    """The screening KPIs for referrals first submitted in [since, until)."""
    submitted = Referral.objects.filter(area=area, first_submitted_at__gte=since, first_submitted_at__lt=until)
    wait = ExpressionWrapper(F("decided_at") - F("first_submitted_at"), output_field=DurationField())
    decided = submitted.filter(decided_at__isnull=False).annotate(wait=wait)
    target = datetime.timedelta(days=area.screening_target_days)
    totals = decided.aggregate(decided=Count("pk"), within=Count("pk", filter=Q(wait__lte=target)))
    custodial = submitted.filter(location=Location.CUSTODY).aggregate(
        all=Count("pk"), on_time=Count("pk", filter=Q(late=False))
    )
    return ReferralKPIs(
        decided=totals["decided"],
        median_days=_percentile_days(decided, totals["decided"], 0.5),
        p90_days=_percentile_days(decided, totals["decided"], 0.9),
        within_target=totals["within"],
        custodial=custodial["all"],
        custodial_on_time=custodial["on_time"],
    )


def releases_without_referral(today: datetime.date) -> QuerySet[Nominal]:
    """People in custody due out within six months whom nobody has referred (the custodial referral
    should come at least six months before release)."""
    referred = Referral.objects.exclude(status__in=[ReferralStatus.DRAFT, ReferralStatus.WITHDRAWN]).filter(
        nominal_id__isnull=False
    )
    return (
        Nominal.objects.filter(
            status=Status.ACTIVE,
            location=Location.CUSTODY,
            expected_release_date__gte=today,
            expected_release_date__lte=add_months(today, LATE_MONTHS_BEFORE_RELEASE),
        )
        .exclude(pk__in=referred.values("nominal_id"))
        .select_related("lead_agency")
    )


def referrals_waiting_too_long(today: datetime.date) -> list[Referral]:
    """Referrals waiting for screening longer than their area's target."""
    waiting = Referral.objects.filter(status=ReferralStatus.SUBMITTED, first_submitted_at__isnull=False)
    return [
        referral
        for referral in waiting.select_related("area")
        if referral.first_submitted_at is not None
        and (today - referral.first_submitted_at.date()).days > referral.area.screening_target_days
    ]
