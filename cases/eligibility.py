"""Who is a MAPPA case, in which category, until when, and how their eligibility ends: the rules
of the Criminal Justice Act 2003 (s.325 and s.327) and the Sexual Offences Act 2003 (Part 2), as
plain functions of a person's records. docs/counting-rules.md gives each rule's source.

- Category 1: subject to the notification requirements (directly, by a Notification Order, or for
  the duration of an SHPO). Eligible while one of those is in force on the day.
- Category 2: murder or an offence specified in Schedule 18 to the Sentencing Act 2020 with 12
  months' or more imprisonment or detention (a suspended sentence is imprisonment), or a life or
  indeterminate sentence, a detention and training order of 12 months or more, or a hospital or
  guardianship order; controlling or coercive behaviour (Serious Crime Act 2015 s.76) with 12
  months' or more imprisonment. Eligible while serving the sentence (in custody, in the community
  on licence, or until a suspended sentence expires) or while the hospital or guardianship order
  is in force.
- Category 3: a conviction or caution and a current risk that needs Level 2 or 3 management;
  never Level 1.
- Category 4: terrorism-connected, managed in the counter-terrorism stream.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from cases.models import (
    CATEGORY_2_ORDERS,
    NOTIFYING_ORDERS,
    TERM_SENTENCES,
    Category,
    Conviction,
    Disposal,
    ExitReason,
    Location,
    Order,
    OrderKind,
    SentenceType,
    Stream,
)
from cases.offences import offence
from mappa.dates import add_months, age_on, last_day_of_period

NO_CONVICTION = (
    "MAPPA cannot be used for someone with no conviction or caution. Refer to MARAC, or arrange a "
    "professionals meeting, instead."
)
CATEGORY_3_LEVEL_1 = (
    "Category 3 is only ever managed at Level 2 or 3: someone in Category 3 who does not need Level 2 or 3 "
    "management is not a MAPPA case"
)
INDEFINITE_MONTHS = 30  # imprisonment of 30 months or more: notified indefinitely (s.82(1))
CATEGORY_2_MONTHS = 12


@dataclass(frozen=True)
class NotificationPeriod:
    start: datetime.date
    end: datetime.date | None  # the last day; None when indefinite
    review_from: datetime.date | None  # when an indefinite period can first be reviewed
    basis: str

    @property
    def indefinite(self) -> bool:
        return self.end is None


def notification_period(
    conviction: Conviction, *, date_of_birth: datetime.date, released_on: datetime.date | None = None
) -> NotificationPeriod:
    """The notification period a conviction or caution for a Schedule 3 offence gives (Sexual
    Offences Act 2003 s.82): it begins with the date of conviction or caution; the fixed periods are
    halved for someone under 18 on that date; an indefinite period can be reviewed on application
    15 years (8 years if under 18) after the first notification following release (s.91B)."""
    start = conviction.conviction_date
    young = age_on(date_of_birth, start) < 18
    sentence, months = conviction.sentence_type, conviction.custodial_months or 0
    if conviction.disposal == Disposal.CAUTION or sentence == SentenceType.CAUTION:
        years, basis = 2, "a caution: 2 years"
    elif sentence == SentenceType.LIFE or (sentence in TERM_SENTENCES and months >= INDEFINITE_MONTHS):
        first_notified = max(start, released_on or start)
        review = add_months(first_notified, 12 * (8 if young else 15))
        return NotificationPeriod(start, None, review, "imprisonment for life or 30 months or more: indefinite")
    elif sentence == SentenceType.HOSPITAL_ORDER and conviction.restriction_order:
        review = add_months(max(start, released_on or start), 12 * (8 if young else 15))
        return NotificationPeriod(start, None, review, "a hospital order with a restriction order: indefinite")
    elif sentence in TERM_SENTENCES and months > 6:
        years, basis = 10, "imprisonment for more than 6 months but less than 30 months: 10 years"
    elif sentence in TERM_SENTENCES:
        years, basis = 7, "imprisonment for 6 months or less: 7 years"
    elif sentence == SentenceType.HOSPITAL_ORDER:
        years, basis = 7, "a hospital order without a restriction order: 7 years"
    elif sentence == SentenceType.DISCHARGE and months:
        end = last_day_of_period(start, months)
        return NotificationPeriod(start, end, None, f"a conditional discharge: its period of {months} months")
    else:
        years, basis = 5, "any other sentence: 5 years"
    period_months = 12 * years // 2 if young else 12 * years
    if young:
        basis += ", halved because under 18 on the day"
    return NotificationPeriod(start, last_day_of_period(start, period_months), None, basis)


NOT_NOTIFIABLE = (
    "Category 1 needs a conviction or caution for an offence that makes a person subject to the notification "
    "requirements (Sexual Offences Act 2003 Schedule 3): select it from the list"
)


def notifiable(conviction: Conviction) -> bool:
    """The offence is on Schedule 3 (its thresholds, if any, are the person recording it to judge)."""
    listed = offence(conviction.offence_code)
    return listed is not None and listed.notifiable


def qualifies_for_category_2(conviction: Conviction) -> bool:
    listed = offence(conviction.offence_code)
    sentence, months = conviction.sentence_type, conviction.custodial_months or 0
    long_enough = sentence == SentenceType.LIFE or (sentence in TERM_SENTENCES and months >= CATEGORY_2_MONTHS)
    if conviction.disposal == Disposal.CAUTION:
        return False
    if conviction.controlling_or_coercive or (listed is not None and listed.controlling_or_coercive):
        return long_enough
    if listed is None or not listed.murder_or_specified:
        return False
    return long_enough or sentence in (SentenceType.HOSPITAL_ORDER, SentenceType.GUARDIANSHIP_ORDER)


CATEGORY_2_REFUSED = (
    "Category 2 needs murder or an offence specified in Schedule 18 to the Sentencing Act 2020 with 12 months' "
    "or more imprisonment or detention (suspended or not), a life sentence, or a hospital or guardianship order; "
    "or controlling or coercive behaviour with 12 months' or more imprisonment"
)


def category_eligibility_error(
    *, category: int, convictions: Iterable[Conviction], orders: Iterable[Order], stream: str, on: datetime.date
) -> str | None:
    """Why someone cannot be in `category` on `on`, or None if they can."""
    convictions, orders = list(convictions), list(orders)
    if not convictions:
        return NO_CONVICTION
    if category == Category.REGISTERED_SEXUAL_OFFENDER:
        if not any(order.kind in NOTIFYING_ORDERS and order.in_force_on(on) for order in orders):
            return "Category 1 needs notification requirements (or a Notification Order or SHPO) in force"
    elif category == Category.VIOLENT_OFFENDER:
        if not any(qualifies_for_category_2(conviction) for conviction in convictions):
            return CATEGORY_2_REFUSED
    elif (
        category == Category.TERRORISM
        and stream != Stream.COUNTER_TERRORISM
        and not any(c.terrorism for c in convictions)
    ):
        return "Category 4 needs a terrorism-connected conviction or management in the counter-terrorism stream"
    return None


def _in_force(orders: Iterable[Order], kinds: Iterable[str], on: datetime.date) -> list[Order]:
    kinds = set(kinds)
    return [order for order in orders if order.kind in kinds and order.in_force_on(on)]


def _serving(convictions: Iterable[Conviction], on: datetime.date) -> list[Conviction]:
    """Convictions whose sentence has not expired on `on` (a suspended sentence's, say)."""
    return [c for c in convictions if c.sentence_expiry_date and c.conviction_date <= on <= c.sentence_expiry_date]


def eligibility_ended(
    *, category: int, orders: Iterable[Order], convictions: Iterable[Conviction], location: str, on: datetime.date
) -> str | None:
    """What has ended a Category 1 or 2 person's eligibility by `on` (None while it holds): their
    notification requirements; or their licence, sentence and any hospital or guardianship order."""
    orders = list(orders)
    if category == Category.REGISTERED_SEXUAL_OFFENDER and not _in_force(orders, NOTIFYING_ORDERS, on):
        return "notification"
    if (
        category == Category.VIOLENT_OFFENDER
        and location == Location.COMMUNITY
        and not _in_force(orders, CATEGORY_2_ORDERS, on)
        and not _serving(convictions, on)
    ):
        held = {order.kind for order in orders}
        return "licence" if OrderKind.LICENCE in held or not held & set(CATEGORY_2_ORDERS) else "order"
    return None


EXIT_REASONS: dict[int, tuple[ExitReason, ...]] = {
    Category.REGISTERED_SEXUAL_OFFENDER: (
        ExitReason.NOTIFICATION_ENDED,
        ExitReason.DIED,
        ExitReason.LEFT_JURISDICTION,
        ExitReason.OTHER,
    ),
    Category.VIOLENT_OFFENDER: (
        ExitReason.LICENCE_ENDED,
        ExitReason.ORDER_ENDED,
        ExitReason.DIED,
        ExitReason.LEFT_JURISDICTION,
        ExitReason.OTHER,
    ),
    Category.OTHER_DANGEROUS_OFFENDER: (
        ExitReason.RISK_REDUCED,
        ExitReason.DIED,
        ExitReason.LEFT_JURISDICTION,
        ExitReason.OTHER,
    ),
    Category.TERRORISM: tuple(ExitReason),
}
# Reasons that end a life or a MAPPA area's reach, whatever is still in force.
UNCONDITIONAL_EXITS = (ExitReason.DIED, ExitReason.LEFT_JURISDICTION)


def exit_error(
    *,
    category: int,
    reason: str,
    orders: Iterable[Order],
    convictions: Iterable[Conviction],
    location: str,
    on: datetime.date,
) -> str | None:
    """Why someone in `category` cannot exit for `reason` on `on` (the first day they would no
    longer be a MAPPA case), or None if they can. Lower risk lowers the level; it does not end
    notification or a licence."""
    allowed = EXIT_REASONS[category]
    if reason not in allowed:
        names = ", ".join(ExitReason(r).label.lower() for r in allowed)
        return f"{Category(category).label} can only exit for one of: {names}"
    if reason in UNCONDITIONAL_EXITS or category in (Category.OTHER_DANGEROUS_OFFENDER, Category.TERRORISM):
        return None
    orders = list(orders)
    if category == Category.REGISTERED_SEXUAL_OFFENDER:
        still = _in_force(orders, NOTIFYING_ORDERS, on)
        if still:
            return f"The person is still subject to notification on that day ({_describe(still[0])})"
        return None
    if location == Location.CUSTODY:
        return "The person is in custody, serving the sentence that makes them Category 2"
    still = _in_force(orders, CATEGORY_2_ORDERS, on)
    if still:
        return f"The {_describe(still[0])} is still in force on that day"
    serving = _serving(convictions, on)
    if serving:
        return f"The sentence for {serving[0].offence.lower()} does not expire until {serving[0].sentence_expiry_date:%-d %B %Y}"
    kinds = {order.kind for order in orders}
    if reason == ExitReason.LICENCE_ENDED and OrderKind.LICENCE not in kinds:
        return "There is no licence on the record: record it with its expiry date first"
    if reason == ExitReason.ORDER_ENDED and not kinds & {OrderKind.HOSPITAL_ORDER, OrderKind.GUARDIANSHIP_ORDER}:
        return "There is no hospital or guardianship order on the record"
    return None


def _describe(order: Order) -> str:
    until = "indefinitely" if order.indefinite or order.end is None else f"until {order.end:%-d %B %Y}"
    return f"{order.get_kind_display().lower()}, {until}"
