"""Transfers between areas: one record that moves on the day the receiving area takes it on, its
statistics moving with it; the receiving area's answer, refusals, and who may see what."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Role
from cases.models import Category, EventKind, Level, Nominal
from cases.policy import nominal_access
from mappa.audit.models import AuditEntry, AuditEvent
from notifications.models import Kind, Notification
from reporting.annual import annual_report
from tests.conftest import People, client_for
from tests.factories import AgencyFactory, make_user
from tests.nominal_fixtures import make_nominal
from tests.reporting.histories import Person
from transfers import services
from transfers.models import Transfer, TransferStatus

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def ask(people: People, nominal: Nominal, moving_on: str = "2025-01-20") -> Transfer:
    return services.transfer_request(
        actor=people.coordinator,
        nominal=nominal,
        values={"to_area": people.other_area, "moving_on": d(moving_on), "reason": "New job", "lead_agency": None},
    )


def cells(people: People, year: int, key: str, *, other_area: bool = False) -> list[list[object]]:
    area = people.other_area if other_area else people.area
    return [list(row.cells) for row in annual_report(area, year).table(key).rows]


def test_an_accepted_transfer_moves_the_one_record_and_its_statistics_on_the_transfer_date(people: People) -> None:
    sussex_police = AgencyFactory(area=people.other_area, name="Sussex Police", kind="police")
    person = Person(people, category=1, level=2, since=d("2020-01-06"))
    nominal = person.nominal
    with time_machine.travel(datetime.datetime(2025, 2, 10, 12, tzinfo=LONDON), tick=False):
        transfer = ask(people, nominal)
        assert Notification.objects.filter(recipient=people.other_area_coordinator, kind=Kind.TRANSFER_REQUESTED)
        transfer = services.transfer_accept(
            actor=people.other_area_coordinator,
            transfer=transfer,
            values={"date": d("2025-02-03"), "lead_agency": sussex_police},
        )

    assert Nominal.objects.filter(first_name=nominal.first_name, last_name=nominal.last_name).count() == 1
    moved = Nominal.objects.get(pk=nominal.pk)
    assert (moved.area, moved.lead_agency) == (people.other_area, sussex_police)
    assert transfer.status == TransferStatus.ACCEPTED
    assert transfer.event.kind == EventKind.TRANSFER
    assert transfer.event.date == d("2025-02-03")
    assert nominal_access(people.coordinator, moved) is None
    assert nominal_access(people.other_area_coordinator, moved) is not None
    assert Notification.objects.filter(recipient=people.coordinator, kind=Kind.TRANSFER_DECIDED).exists()

    # On 31 March 2024 the person was Kent's; on 31 March 2025, Sussex's. In 2024-25 both areas
    # managed them at Level 2, each once.
    level_2 = 1  # the row of Level 2, whose first column is Category 1
    assert cells(people, 2023, "eligible")[level_2][0] == 1
    assert cells(people, 2023, "eligible", other_area=True)[level_2][0] == 0
    assert cells(people, 2024, "eligible")[level_2][0] == 0
    assert cells(people, 2024, "eligible", other_area=True)[level_2][0] == 1
    assert cells(people, 2024, "managed")[0] == [1, 0, 0, 1]
    assert cells(people, 2024, "managed", other_area=True)[0] == [1, 0, 0, 1]


def test_a_declined_transfer_leaves_the_record_where_it_was(people: People) -> None:
    nominal = make_nominal(actor=people.coordinator, area=people.area, lead_agency=people.police)
    transfer = ask(people, nominal)

    with pytest.raises(ValidationError, match="why the transfer is declined"):
        services.transfer_decline(actor=people.other_area_coordinator, transfer=transfer, reason="  ")
    services.transfer_decline(actor=people.other_area_coordinator, transfer=transfer, reason="Not moving here")

    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.DECLINED
    assert Nominal.objects.get(pk=nominal.pk).area == people.area
    with pytest.raises(ValidationError, match="already been answered"):
        services.transfer_accept(
            actor=people.other_area_coordinator,
            transfer=transfer,
            values={"date": d("2025-01-01"), "lead_agency": None},
        )


def test_refusals(people: People) -> None:
    nominal = make_nominal(actor=people.coordinator, area=people.area, lead_agency=people.police)
    with pytest.raises(ValidationError, match="already managed in this one"):
        services.transfer_request(
            actor=people.coordinator,
            nominal=nominal,
            values={"to_area": people.area, "moving_on": d("2025-01-01"), "reason": "x", "lead_agency": None},
        )
    transfer = ask(people, nominal)
    with pytest.raises(ValidationError, match="already waiting"):
        ask(people, nominal)
    with pytest.raises(ValidationError, match="lead agency"):
        # The lead agency must be one of the receiving area's.
        services.transfer_accept(
            actor=people.other_area_coordinator,
            transfer=transfer,
            values={"date": datetime.date.today(), "lead_agency": people.police},
        )
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.REQUESTED
    assert Nominal.objects.get(pk=nominal.pk).area == people.area


def test_the_receiving_area_sees_the_transfer_not_the_record_until_it_accepts(people: People) -> None:
    nominal = make_nominal(actor=people.coordinator, area=people.area, lead_agency=people.police, level=Level.LEVEL_2)
    transfer = ask(people, nominal)
    receiving = client_for(people.other_area_coordinator)

    page = receiving.get(f"/transfers/{transfer.pk}/")

    assert page.status_code == 200
    assert nominal.last_name.upper() in page.content.decode()
    assert receiving.get(nominal.get_absolute_url()).status_code == 404
    assert AuditEntry.objects.filter(
        actor=people.other_area_coordinator, event=AuditEvent.VIEW, nominal_id=nominal.pk
    ).exists()
    # The sending area may withdraw but not accept; others see nothing.
    assert client_for(people.coordinator).get(f"/transfers/{transfer.pk}/accept/").status_code == 403
    assert receiving.get(f"/transfers/{transfer.pk}/withdraw/").status_code == 403
    housing = client_for(people.housing_officer)
    assert housing.get(f"/transfers/{transfer.pk}/").status_code == 404


def test_a_category_4_transfer_is_seen_only_by_those_cleared(people: People) -> None:
    nominal = make_nominal(
        actor=people.coordinator,
        area=people.area,
        lead_agency=people.police,
        category=Category.TERRORISM,
        stream="counter_terrorism",
    )
    transfer = ask(people, nominal)
    uncleared = make_user("kent-coordinator-2", agency=people.unit, roles=(Role.COORDINATOR,))

    assert client_for(uncleared).get(f"/transfers/{transfer.pk}/").status_code == 404
    assert client_for(people.coordinator).get(f"/transfers/{transfer.pk}/").status_code == 200


def test_the_transfers_list_filters_and_runs_constant_queries(  # type: ignore[no-untyped-def]
    people: People, django_assert_num_queries
) -> None:
    client = client_for(people.coordinator)
    ask(people, make_nominal(actor=people.coordinator, area=people.area, lead_agency=people.police))
    client.get("/transfers/")
    with CaptureQueriesContext(connection) as one:
        client.get("/transfers/")
    for _ in range(3):
        ask(people, make_nominal(actor=people.coordinator, area=people.area, lead_agency=people.police))
    with django_assert_num_queries(len(one.captured_queries)):
        listed = client.get("/transfers/", {"direction": "out", "status": "requested"})
    assert listed.content.decode().count('govuk-tag--yellow">Waiting') == 4
    assert "govuk-tag--yellow" not in client.get("/transfers/", {"direction": "in"}).content.decode()
