"""Shared fixtures: an area with its agencies, and the named people the tests speak of."""

from __future__ import annotations

import datetime
import os
import zoneinfo
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.test import Client

from agencies.models import Agency, AgencyKind, Area, Role, User
from devtools.signed_in_client import signed_in_client
from tests.factories import AgencyFactory, AreaFactory, DistrictFactory, make_user


def _travel_to_test_today() -> None:
    """With TEST_TODAY=YYYY-MM-DD the whole run happens as if today were that date: the clock starts
    at noon, London time, and moves on. It starts here, before the fixture modules below are imported,
    so that dates they work out when imported are that day's too."""
    day = os.environ.get("TEST_TODAY")
    if not day:
        return
    try:
        noon = datetime.datetime.combine(
            datetime.date.fromisoformat(day), datetime.time(12), tzinfo=zoneinfo.ZoneInfo("Europe/London")
        )
    except ValueError as error:
        raise pytest.UsageError(f"TEST_TODAY needs a date as YYYY-MM-DD, not {day!r}") from error
    time_machine.travel(noon, tick=True).start()


_travel_to_test_today()

pytest_plugins = ["tests.nominal_fixtures", "tests.meeting_fixtures", "tests.oidc_fixtures"]


def pytest_report_header() -> str | None:
    day = os.environ.get("TEST_TODAY")
    return f"running as if today were {day} (TEST_TODAY)" if day else None


@dataclass
class People:
    area: Area
    other_area: Area
    unit: Agency
    police: Agency
    housing: Agency
    coordinator: User
    chair: User
    practitioner: User
    housing_officer: User
    auditor: User
    administrator: User
    other_area_coordinator: User


@pytest.fixture
def people(db: None) -> People:
    area = AreaFactory(name="Kent and Medway", code="KENT")
    other_area = AreaFactory(name="Sussex", code="SUSSEX")
    maidstone = DistrictFactory(area=area, name="Maidstone")
    unit = AgencyFactory(area=area, name="Co-ordination Unit", kind=AgencyKind.OTHER)
    police = AgencyFactory(area=area, name="Kent Police", kind=AgencyKind.POLICE)
    housing = AgencyFactory(area=area, name="Maidstone Housing", kind=AgencyKind.HOUSING, district=maidstone)
    sussex_unit = AgencyFactory(area=other_area, name="Sussex Unit", kind=AgencyKind.OTHER)
    return People(
        area=area,
        other_area=other_area,
        unit=unit,
        police=police,
        housing=housing,
        coordinator=make_user("coordinator", agency=unit, roles=(Role.COORDINATOR,), category4_cleared=True),
        chair=make_user("chair", agency=police, roles=(Role.CHAIR,)),
        practitioner=make_user("practitioner", agency=police, roles=(Role.RA_PRACTITIONER,)),
        housing_officer=make_user("housing", agency=housing, roles=(Role.DTC_STAFF,)),
        auditor=make_user("auditor", agency=police, roles=(Role.AUDITOR,)),
        administrator=make_user("admin", agency=unit, roles=(Role.SYSTEM_ADMINISTRATOR,)),
        other_area_coordinator=make_user("sussex", agency=sussex_unit, roles=(Role.COORDINATOR,)),
    )


def client_for(user: User) -> Client:
    """A client signed in as `user` with both factors, as if they had entered their code."""
    return signed_in_client(user)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI nothing may skip: a skipped test there is a test that proved nothing."""
    if not os.environ.get("CI"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; every test must run in CI.", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session", autouse=True)
def _documents_bucket() -> None:
    """With an object store configured (ops/test-documents-on-object-store), its bucket exists."""
    from django.conf import settings

    if not settings.DOCUMENTS_S3_BUCKET:
        return
    import boto3

    options = settings.STORAGES["documents"]["OPTIONS"]
    client = boto3.client(
        "s3",
        endpoint_url=options["endpoint_url"],
        region_name=options["region_name"],
        aws_access_key_id=options["access_key"],
        aws_secret_access_key=options["secret_key"],
    )
    existing = {bucket["Name"] for bucket in client.list_buckets().get("Buckets", [])}
    if settings.DOCUMENTS_S3_BUCKET not in existing:
        client.create_bucket(
            Bucket=settings.DOCUMENTS_S3_BUCKET,
            CreateBucketConfiguration={"LocationConstraint": options["region_name"]},
        )


@pytest.fixture(autouse=True)
def _documents_in_a_folder_of_the_test(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # On the file system each test keeps its documents apart; with an object store configured
    # (DOCUMENTS_S3_BUCKET) they go to its bucket, under random names.
    settings.MEDIA_ROOT = str(tmp_path / "documents")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    # Real hashing is deliberately slow; tests check behaviour, not the hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_in_process() -> Any:
    """Tasks run at once in tests, whatever REDIS_URL says; the tests of real delivery opt out."""
    from mappa.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
