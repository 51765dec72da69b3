"""The partner API, version 1: what prison, probation and police systems may read and report, each
call made with a partner system's token, checked against what mappa/authorization.toml says the
operation needs, counted against the system's rate, and written to the audit log.

django-ninja builds the OpenAPI 3.1 schema from the same pydantic types that validate each request,
so the schema partners read is the one the service enforces."""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import re
from collections.abc import Callable
from typing import Annotated, Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Header, NinjaAPI, Query, Schema, Status
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as RequestValidationError
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle
from pydantic import BeforeValidator, ConfigDict

from agencies.models import Agency, Role, User
from cases.models import Nominal
from mappa.authorization import rule_for
from mappa.errors import StaleRecordError
from partners.models import IdempotentRequest, PartnerSystem, Scope
from partners.problems import MEDIA_TYPE, TITLES, FieldProblem, Problem, problem
from partners.selectors import (
    AmbiguousMatch,
    expected_releases,
    nominal_matching,
    nominal_visible_to_partner,
    nominals_for_partner,
)
from partners.services import custody_report, lead_agency_change, partner_for_token

logger = logging.getLogger(__name__)

PNC = r"^(\d{2}|\d{4})/\d{1,7}[A-Z]$"
PRISON_NUMBER = r"^[A-Z]\d{4}[A-Z]{2}$"
CRN = r"^[A-Z]\d{6}$"
VISOR = r"^\d{6,10}$"
CASE_REFERENCE = r"^[A-Za-z0-9-]{1,30}$"
IDEMPOTENCY_KEY = r"^[A-Za-z0-9_.:-]{8,200}$"
RELEASE_WINDOW = datetime.timedelta(days=183)  # the six months before release a referral is due in


class ScopeRefused(Exception):
    pass


class IdempotencyConflict(Exception):
    pass


# Requests and answers -------------------------------------------------------------------------


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


def _iso_date(value: object) -> object:
    """Dates only as YYYY-MM-DD: pydantic would otherwise take 0 or "0" for 1 January 1970."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    raise ValueError("Enter a date as YYYY-MM-DD")


IsoDate = Annotated[datetime.date, BeforeValidator(_iso_date)]


class Identifiers(Strict):
    pnc_id: str | None = Field(None, pattern=PNC, description="PNC ID, such as 2004/0123456X")
    prison_number: str | None = Field(None, pattern=PRISON_NUMBER, description="NOMIS prison number, such as A1234BC")
    crn: str | None = Field(None, pattern=CRN, description="Probation case reference number, such as X123456")


class CustodyReportIn(Strict):
    identifiers: Identifiers
    custody_start: IsoDate = Field(description="The day the custody began (remand or sentence).")
    expected_release_date: IsoDate | None = Field(None, description="While the person is held.")
    released_on: IsoDate | None = Field(None, description="The day they were released, once they are.")
    establishment: str = Field(
        "", max_length=120, pattern=r"^[^\x00-\x1f]*$", description="The prison or hospital, for the record's notes."
    )


class NominalRef(Schema):
    case_reference: str
    pnc_id: str
    prison_number: str
    crn: str
    visor_reference: str


class MappaStatus(Schema):
    category: int = Field(description="1, 2 or 3 (Category 4 is never shown to partner systems)")
    level: int
    status: str = Field(description="active or exited")


class NominalOut(NominalRef):
    version: int = Field(description="The record's version; send it back in If-Match to change the record.")
    mappa: MappaStatus | None = Field(None, description="With the nominals:read-mappa scope only.")


class CustodyReportOut(Schema):
    case_reference: str
    location: str
    expected_release_date: datetime.date | None
    recorded: list[str] = Field(description="What this report added; empty when everything was already recorded.")
    version: int


class LeadAgencyIn(Strict):
    agency_id: int = Field(ge=1, le=2**31 - 1, description="An agency of the person's area (GET /agencies).")


class LeadAgencyOut(Schema):
    case_reference: str
    agency_id: int
    agency: str
    version: int


class ReleaseOut(NominalRef):
    location: str
    expected_release_date: datetime.date


class ReleasePage(Schema):
    count: int
    page: int
    page_size: int
    next_page: int | None
    results: list[ReleaseOut]


class AgencyOut(Schema):
    id: int
    name: str
    kind: str
    active: bool


# Authentication, scopes and rate --------------------------------------------------------------


class PartnerToken(HttpBearer):
    """A partner system's bearer token, and the scopes the authorization table asks of the view."""

    def authenticate(self, request: HttpRequest, token: str) -> PartnerSystem | None:
        partner, refusal = partner_for_token(token)
        if partner is None:
            logger.warning("Partner API call refused: %s", refusal)
            return None
        request.partner = partner  # type: ignore[attr-defined]
        if refusal:
            request.partner_refusal = refusal  # type: ignore[attr-defined]
            return None
        rule = rule_for(request.resolver_match.view_name if request.resolver_match else "")
        if rule is None or not any(partner.may(scope) for scope in rule.scopes):
            raise ScopeRefused(", ".join(rule.scopes) if rule else "")
        return partner


class PartnerRate(BaseThrottle):
    """At most the system's `requests_per_minute` in each clock minute, counted under one cache key
    per system and minute. Without the cache (Redis down) calls are let through, and the outage is
    logged: a partner's reports matter more than its pace."""

    def allow_request(self, request: HttpRequest) -> bool:
        partner: PartnerSystem = request.auth  # type: ignore[attr-defined]
        key = f"partner-rate:{partner.pk}:{timezone.now():%Y%m%d%H%M}"
        try:
            if cache.add(key, 1, timeout=120):
                return True
            try:
                count = cache.incr(key)
            except ValueError:  # the key expired or was evicted between the two calls
                cache.add(key, 1, timeout=120)
                count = 1
        except Exception:  # the cache's own errors differ by backend
            logger.warning("Partner API rate not counted: the cache is unavailable", exc_info=True)
            return True
        return count <= partner.requests_per_minute

    def wait(self) -> float:
        return float(60 - timezone.now().second)


class PartnerAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """Refusals are problem details (RFC 9457): say so in the schema, as the answers do."""
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    if int(status) >= 400 and "content" in response:
                        response["content"] = {MEDIA_TYPE: response["content"]["application/json"]}
        return schema


def administrators_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The schema and the reference page are for the service's system administrators."""

    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not (
            isinstance(user, User)
            and user.is_active
            and (user.is_superuser or user.has_role(Role.SYSTEM_ADMINISTRATOR))
        ):
            raise Http404
        return view(request, *args, **kwargs)

    return checked


api = PartnerAPI(
    title="MAPPA case management: partner API",
    version="1",
    description=(
        "For the prison, probation and police systems of a MAPPA area. Each call carries a partner "
        "system's token (`Authorization: Bearer ...`), issued by the service's administrators, scoped "
        "to one area and to what the system may do. Writes need an `Idempotency-Key`: a retry with the "
        "same key and body gets the first answer and changes nothing. Refusals are RFC 9457 problem "
        "details. Category 4 cases are never visible here."
    ),
    urls_namespace="api",
    auth=PartnerToken(),
    throttle=PartnerRate(),
    docs_decorator=administrators_only,
)

REFUSALS: dict[int, type[Problem]] = {400: Problem, 401: Problem, 403: Problem, 422: Problem, 429: Problem}
MATCHING: dict[int, type[Problem]] = {**REFUSALS, 404: Problem, 409: Problem}


def _field_problems(error: ValidationError) -> list[FieldProblem]:
    if hasattr(error, "error_dict"):
        return [
            FieldProblem(field=field, message=message)
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return [FieldProblem(field="", message=message) for message in error.messages]


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    status = exc.status_code if exc.status_code in TITLES else 400
    return problem(status, "bad-request", str(exc.message))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    detail = getattr(request, "partner_refusal", "") or "Send a partner system's token: Authorization: Bearer <token>."
    return problem(401, "unauthenticated", detail, headers={"WWW-Authenticate": 'Bearer realm="mappa"'})


@api.exception_handler(ScopeRefused)
def _scope_refused(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(403, "scope", f"This partner system may not do this; it needs one of the scopes: {exc}.")


@api.exception_handler(RequestValidationError)
def _invalid_request(request: HttpRequest, exc: RequestValidationError) -> HttpResponse:
    errors = [
        FieldProblem(field=".".join(str(part) for part in error.get("loc", ())), message=str(error.get("msg", "")))
        for error in exc.errors
    ]
    return problem(422, "invalid", "The request is not valid; see `errors`.", errors=errors)


@api.exception_handler(ValidationError)
def _refused(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return problem(422, "refused", "The service's rules refuse this; see `errors`.", errors=_field_problems(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(404, "not-found", str(exc) or "Nothing found.")


@api.exception_handler(AmbiguousMatch)
def _ambiguous(request: HttpRequest, exc: AmbiguousMatch) -> HttpResponse:
    return problem(
        409,
        "ambiguous-match",
        "The identifiers given name more than one person, or disagree with the record they match; "
        "nothing was changed. Check the identifiers with the MAPPA co-ordination unit.",
    )


@api.exception_handler(IdempotencyConflict)
def _key_reused(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(422, "idempotency-key-reused", "This Idempotency-Key was used for a different request.")


@api.exception_handler(StaleRecordError)
def _stale(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(412, "stale", "The record has changed since the version in If-Match; read it again.")


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    wait = getattr(exc, "wait", None) or 60
    return problem(
        429, "rate", "Too many requests from this partner system; retry later.", headers={"Retry-After": str(int(wait))}
    )


# Helpers --------------------------------------------------------------------------------------


def _partner(request: HttpRequest) -> PartnerSystem:
    partner: PartnerSystem = request.auth  # type: ignore[attr-defined]
    return partner


def _consulted(request: HttpRequest, nominal: Nominal | None = None, shown: list[int] | None = None) -> None:
    """What the call showed, for its audit entry (see `partners.urls`)."""
    if nominal is not None:
        request.api_nominal_id = nominal.pk  # type: ignore[attr-defined]
    if shown is not None:
        request.api_shown = shown  # type: ignore[attr-defined]


def _matched(request: HttpRequest, identifiers: Identifiers) -> Nominal:
    nominal = nominal_matching(_partner(request), identifiers.model_dump())
    if nominal is None:
        raise Http404("No person of this partner system's area has these identifiers.")
    _consulted(request, nominal)
    return nominal


def _by_reference(request: HttpRequest, case_reference: str) -> Nominal:
    nominal = (
        nominals_for_partner(_partner(request))
        .select_related("lead_agency")
        .filter(case_reference=case_reference)
        .first()
    )
    if nominal is None:
        raise Http404("No person of this partner system's area has this case reference.")
    _consulted(request, nominal)
    return nominal


def _references(nominal: Nominal) -> dict[str, str]:
    return {field: getattr(nominal, field) for field in NominalRef.model_fields}


def _etag(version: int) -> str:
    return f'"{version}"'


def _version_from(if_match: str) -> int | None:
    value = if_match.strip().removeprefix("W/").strip('"')
    return int(value) if value.isascii() and value.isdecimal() and len(value) < 10 else None


def _fingerprint(request: HttpRequest) -> str:
    return hashlib.sha256(
        b"\n".join([(request.method or "").encode(), request.path.encode(), request.body])
    ).hexdigest()


def _idempotent(
    request: HttpRequest, response: HttpResponse, key: str, work: Callable[[], tuple[int, Schema, int]]
) -> Status[Any]:
    """Do `work` once per key: a retry with the same key and request gets the stored answer. The
    system's row is locked for the length of the write, so two retries at once run one after the
    other and the second finds the first's answer."""
    partner = _partner(request)
    fingerprint = _fingerprint(request)
    with transaction.atomic():
        PartnerSystem.objects.select_for_update().filter(pk=partner.pk).first()
        earlier = IdempotentRequest.objects.filter(partner=partner, key=key).first()
        if earlier is not None:
            if earlier.fingerprint != fingerprint:
                raise IdempotencyConflict
            if earlier.nominal_id is not None:
                if not nominal_visible_to_partner(partner, earlier.nominal_id):
                    raise Http404("No person of this partner system's area is the subject of this request any more.")
                request.api_nominal_id = earlier.nominal_id  # type: ignore[attr-defined]
            response["Idempotent-Replayed"] = "true"
            for name, value in earlier.headers.items():
                response[name] = value
            request.api_replayed = True  # type: ignore[attr-defined]
            return Status(earlier.status, earlier.body)
        status, body, version = work()
        stored = json.loads(body.model_dump_json())
        headers = {"ETag": _etag(version)}
        IdempotentRequest.objects.create(
            partner=partner,
            key=key,
            fingerprint=fingerprint,
            status=status,
            body=stored,
            headers=headers,
            nominal_id=getattr(request, "api_nominal_id", None),
        )
    for name, value in headers.items():
        response[name] = value
    return Status(status, stored)


IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        pattern=IDEMPOTENCY_KEY,
        description="Chosen by the caller, unique per request it means to make (a UUID, say); 8 to 200 characters.",
    ),
]


# Operations -----------------------------------------------------------------------------------


@api.post(
    "/custody-reports",
    url_name="custody-report",
    response={200: CustodyReportOut, 201: CustodyReportOut, **MATCHING},
    summary="Report a custody period and its release date",
    tags=["custody"],
)
def report_custody(
    request: HttpRequest, response: HttpResponse, report: CustodyReportIn, idempotency_key: IdempotencyKey
) -> Status[Any]:
    """The person is matched by every identifier given (at least one). Records the custody event,
    and the release or the expected release date, unless already recorded: 201 when something was
    recorded, 200 when everything already was."""

    def work() -> tuple[int, Schema, int]:
        nominal = _matched(request, report.identifiers)
        outcome = custody_report(
            partner=_partner(request),
            nominal=nominal,
            custody_start=report.custody_start,
            expected_release_date=report.expected_release_date,
            released_on=report.released_on,
            establishment=report.establishment,
        )
        held = outcome.nominal
        body = CustodyReportOut(
            case_reference=held.case_reference,
            location=held.location,
            expected_release_date=held.expected_release_date,
            recorded=outcome.recorded,
            version=held.version,
        )
        return (201 if outcome.recorded else 200), body, held.version

    if not any(report.identifiers.model_dump().values()):
        raise ValidationError({"identifiers": "Give at least one identifier: pnc_id, prison_number or crn"})
    return _idempotent(request, response, idempotency_key, work)


@api.put(
    "/nominals/{case_reference}/lead-agency",
    url_name="lead-agency-change",
    response={200: LeadAgencyOut, **MATCHING, 412: Problem},
    summary="Record a change of lead agency",
    tags=["nominals"],
)
def change_lead_agency(
    request: HttpRequest,
    response: HttpResponse,
    case_reference: Annotated[str, Field(pattern=CASE_REFERENCE)],
    change: LeadAgencyIn,
    idempotency_key: IdempotencyKey,
    if_match: Annotated[
        str, Header(alias="If-Match", max_length=40, description="The ETag of the record you read: its version.")
    ],
) -> Status[Any]:
    """`If-Match` carries the version read from the lookup (its ETag); a record changed since is
    refused with 412 and left as it is."""
    expected = _version_from(if_match)
    if expected is None:
        raise StaleRecordError

    def work() -> tuple[int, Schema, int]:
        nominal = _by_reference(request, case_reference)
        agency = Agency.objects.filter(pk=change.agency_id, area_id=nominal.area_id).first()
        if agency is None:
            raise ValidationError({"agency_id": "Select an agency of the person's MAPPA area"})
        changed = lead_agency_change(
            partner=_partner(request), nominal=nominal, agency=agency, expected_version=expected
        )
        body = LeadAgencyOut(
            case_reference=changed.case_reference, agency_id=agency.pk, agency=agency.name, version=changed.version
        )
        return 200, body, changed.version

    return _idempotent(request, response, idempotency_key, work)


class LookupQuery(Strict):
    pnc_id: str | None = Field(None, pattern=PNC)
    prison_number: str | None = Field(None, pattern=PRISON_NUMBER)
    crn: str | None = Field(None, pattern=CRN)
    visor_reference: str | None = Field(None, pattern=VISOR)


@api.get(
    "/nominals/lookup",
    url_name="nominal-lookup",
    response={200: NominalOut, **MATCHING},
    summary="Find a person by identifier",
    tags=["nominals"],
)
def look_up(request: HttpRequest, response: HttpResponse, query: Query[LookupQuery]) -> Status[Any]:
    """The case reference and identifiers of the one person of the area the identifiers name; with
    the nominals:read-mappa scope, also their MAPPA category, level and status. The ETag is the
    record's version."""
    if not any(query.model_dump().values()):
        raise ValidationError({"query": "Give at least one identifier: pnc_id, prison_number, crn or visor_reference"})
    partner = _partner(request)
    nominal = nominal_matching(partner, query.model_dump())
    if nominal is None:
        raise Http404("No person of this partner system's area has these identifiers.")
    _consulted(request, nominal)
    response["ETag"] = _etag(nominal.version)
    mappa = (
        MappaStatus(category=nominal.category, level=nominal.level, status=nominal.status)
        if partner.may(Scope.READ_MAPPA)
        else None
    )
    return Status(
        200,
        NominalOut(**_references(nominal), version=nominal.version, mappa=mappa),
    )


class ReleasesQuery(Strict):
    start: IsoDate | None = Field(None, alias="from", description="First day of the window; today if absent.")
    end: IsoDate | None = Field(None, alias="to", description="Last day of the window; six months on if absent.")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


@api.get(
    "/releases",
    url_name="release-list",
    response={200: ReleasePage, **REFUSALS},
    summary="List the area's expected releases",
    tags=["custody"],
)
def list_releases(request: HttpRequest, query: Query[ReleasesQuery]) -> Status[Any]:
    """People of the area in custody or hospital whose expected release date falls in the window,
    soonest first, a page at a time."""
    start = query.start or timezone.localdate()
    end = query.end or min(start, datetime.date.max - RELEASE_WINDOW) + RELEASE_WINDOW
    if end < start:
        raise ValidationError({"to": "The end of the window must not be before its start"})
    releases = expected_releases(_partner(request), start=start, end=end)
    count = releases.count()
    first = (query.page - 1) * query.page_size
    rows = list(
        releases.only(
            "pk",
            "case_reference",
            "pnc_id",
            "prison_number",
            "crn",
            "visor_reference",
            "location",
            "expected_release_date",
        )[first : first + query.page_size]
    )
    _consulted(request, shown=[row.pk for row in rows])
    return Status(
        200,
        ReleasePage(
            count=count,
            page=query.page,
            page_size=query.page_size,
            next_page=query.page + 1 if first + query.page_size < count else None,
            results=[
                ReleaseOut(
                    **_references(row),
                    location=row.location,
                    expected_release_date=row.expected_release_date,  # type: ignore[arg-type]
                )
                for row in rows
            ],
        ),
    )


@api.get(
    "/agencies",
    url_name="agency-list",
    response={200: list[AgencyOut], **REFUSALS},
    summary="List the area's agencies",
    tags=["agencies"],
)
def list_agencies(request: HttpRequest) -> Status[Any]:
    agencies = Agency.objects.filter(area_id=_partner(request).agency.area_id).order_by("name")
    return Status(200, [AgencyOut(id=a.pk, name=a.name, kind=a.kind, active=a.is_active) for a in agencies])
