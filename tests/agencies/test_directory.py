"""The agency directory: own area only, filters that say when they are wrong, constant queries."""

from __future__ import annotations

import pytest

from agencies.models import AgencyKind
from tests.conftest import People, client_for
from tests.factories import AgencyFactory, make_user

pytestmark = pytest.mark.django_db


def test_directory_lists_only_agencies_in_the_users_area(people: People) -> None:
    content = client_for(people.housing_officer).get("/agencies/").content.decode()

    assert "Kent Police" in content
    assert "Maidstone Housing" in content
    assert "Sussex Unit" not in content


def test_agency_in_another_area_is_not_found(people: People) -> None:
    sussex_unit = people.other_area_coordinator.agency

    response = client_for(people.coordinator).get(f"/agencies/{sussex_unit.pk}/")

    assert response.status_code == 404


def test_agency_page_lists_its_active_people(people: People) -> None:
    make_user("former", agency=people.police, is_active=False)

    content = client_for(people.coordinator).get(f"/agencies/{people.police.pk}/").content.decode()

    assert "Chair Tester" in content
    assert "Former Tester" not in content
    assert "Responsible Authority" in content


def test_system_administrator_sees_agencies_in_every_area(people: People) -> None:
    content = client_for(people.administrator).get("/agencies/").content.decode()

    assert "Sussex Unit" in content


def test_filter_by_kind_and_name(people: People) -> None:
    client = client_for(people.coordinator)

    by_kind = client.get("/agencies/", {"kind": AgencyKind.HOUSING}).content.decode()
    by_name = client.get("/agencies/", {"q": "police"}).content.decode()

    assert "Maidstone Housing" in by_kind
    assert "Kent Police" not in by_kind
    assert "Kent Police" in by_name
    assert "Maidstone Housing" not in by_name


def test_district_from_another_area_is_a_field_error(people: People) -> None:
    sussex_district = people.other_area.districts.create(name="Crawley")

    response = client_for(people.coordinator).get("/agencies/", {"district": sussex_district.pk})

    assert response.status_code == 400
    content = response.content.decode()
    assert "There is a problem" in content
    assert "Select a valid choice" in content


@pytest.mark.parametrize("params", [{"kind": "spaceship"}, {"order": "password"}, {"district": "abc"}])
def test_bad_filter_values_are_refused_with_a_message(people: People, params: dict[str, str]) -> None:
    response = client_for(people.coordinator).get("/agencies/", params)

    assert response.status_code == 400
    assert "govuk-error-message" in response.content.decode()


def test_sort_by_kind(people: People) -> None:
    content = client_for(people.coordinator).get("/agencies/", {"order": "kind"}).content.decode()
    content = content[content.index("<tbody") :]

    # Kinds sort by their stored value: housing < other < police.
    assert content.index("Maidstone Housing") < content.index("Co-ordination Unit") < content.index("Kent Police")


def test_directory_runs_a_constant_number_of_queries(
    people: People, django_assert_num_queries, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(people.coordinator)
    client.get("/agencies/")  # warm the session
    with django_assert_max_num_queries(40) as few:  # counted, then held constant below
        client.get("/agencies/")
    for number in range(30):
        AgencyFactory(area=people.area, name=f"Extra agency {number}")
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/agencies/")
