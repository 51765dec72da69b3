"""The declared table of who may use each view (authorization.toml), and the rule that a view
nobody has declared is refused to everyone.

The table is the specification; the policies enforce it per object and the tests hold the two
together. What this module enforces at run time is only the default: a URL name missing from the
table answers 404, and `manage.py check` names it.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver

logger = logging.getLogger(__name__)

TABLE = Path(__file__).with_name("authorization.toml")
NO_RELATION = "none"
RELATIONS = ("own_area", "shared", "not_shared", "other_area", "incoming", "category_4")
SUBJECTS = (
    "nominal",
    "nominal_share",
    "referral",
    "draft_referral",
    "screening_panel",
    "panel_item",
    "panel_day",
    "meeting",
    "open_meeting",
    "minutes_request",
    "action",
    "agency_action",
    "notification",
    "failed_email",
    "agency",
    "user",
    "report_run",
    "document",
    "transfer",
    "review",
    "review_milestone",
    "review_action",
    "meeting_audit",
)


@dataclass(frozen=True)
class ViewRule:
    """Who may use one view: per role, the relations to its subject in which they may."""

    name: str
    subject: str = NO_RELATION
    method: str = "GET"
    args: Mapping[str, str] | None = None
    public: bool = False
    allow: Mapping[str, frozenset[str]] | None = None
    # For the partner API: reached with a partner system's token holding one of these, never a session.
    scopes: tuple[str, ...] = ()

    def allows(self, role: str, relation: str = NO_RELATION) -> bool:
        return self.public or relation in (self.allow or {}).get(role, frozenset())

    @property
    def relations(self) -> tuple[str, ...]:
        return (NO_RELATION,) if self.subject == NO_RELATION else RELATIONS


def _rule(name: str, entry: dict[str, Any], roles: tuple[str, ...]) -> ViewRule:
    def wrong(why: str) -> ImproperlyConfigured:
        return ImproperlyConfigured(f"{TABLE.name}: {name}: {why}")

    unknown = set(entry) - {"subject", "method", "args", "public", "allow", "scopes"}
    if unknown:
        raise wrong(f"unknown keys {sorted(unknown)}")
    subject = entry.get("subject", NO_RELATION)
    if subject != NO_RELATION and subject not in SUBJECTS:
        raise wrong(f"unknown subject {subject!r}")
    if entry.get("method", "GET") not in ("GET", "POST"):
        raise wrong("method must be GET or POST")
    allowed = entry.get("allow", [] if subject == NO_RELATION else {})
    if allowed == "everyone":
        allowed = list(roles)
    if subject == NO_RELATION:
        if not isinstance(allowed, list):
            raise wrong('a view without a subject lists roles, or says "everyone"')
        allowed = {role: [NO_RELATION] for role in allowed}
    if not isinstance(allowed, dict):
        raise wrong("a view with a subject gives, per role, a list of relations")
    for role, relations in allowed.items():
        if role not in roles:
            raise wrong(f"unknown role {role!r}")
        if set(relations) - {*RELATIONS, NO_RELATION}:
            raise wrong(f"unknown relation in {relations!r}")
    scopes = entry.get("scopes", [])
    if not isinstance(scopes, list) or (scopes and allowed):
        raise wrong("a partner API view lists its scopes, and allows no role")
    if not entry.get("public") and not allowed and not scopes:
        raise wrong("allows nobody; remove the view instead")
    return ViewRule(
        name=name,
        subject=subject,
        method=entry.get("method", "GET"),
        args=entry.get("args", {}),
        public=entry.get("public", False),
        allow={role: frozenset(relations) for role, relations in allowed.items()},
        scopes=tuple(scopes),
    )


@cache
def roles() -> tuple[str, ...]:
    """The roles the table speaks of: the user model's (the tests hold the two together)."""
    with TABLE.open("rb") as table:
        return tuple(tomllib.load(table)["roles"])


@cache
def rules() -> dict[str, ViewRule]:
    with TABLE.open("rb") as table:
        views = tomllib.load(table)["views"]
    return {name: _rule(name, entry, roles()) for name, entry in views.items()}


def rule_for(view_name: str) -> ViewRule | None:
    """The declared rule for a URL name; a whole namespace may be declared as "namespace:*"."""
    table = rules()
    if view_name in table:
        return table[view_name]
    namespace, _, _ = view_name.rpartition(":")
    return table.get(f"{namespace}:*") if namespace else None


def walk_urls(
    patterns: list[URLPattern | URLResolver] | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    """Every URL pattern of the service as (view name, route), named as a request's resolver_match
    names it: the URL name, or the view's dotted path for an unnamed pattern."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk_urls(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            yield f"{namespace}{pattern.name or pattern.lookup_str}", prefix + str(pattern.pattern)


def undeclared_url_names() -> set[str]:
    return {name for name, _route in walk_urls() if rule_for(name) is None}


@checks.register(checks.Tags.security, checks.Tags.urls)
def check_every_view_is_declared(**kwargs: Any) -> list[checks.CheckMessage]:
    names = {name for name, _route in walk_urls()}
    problems: list[checks.CheckMessage] = [
        checks.Error(
            f"The view {name!r} is not in {TABLE.name}, so it is refused to everyone.",
            hint="Declare which roles may use it, and in which relations, in mappa/authorization.toml.",
            id="mappa.E001",
        )
        for name in sorted(undeclared_url_names())
    ]
    namespaces = {name.rpartition(":")[0] for name in names}
    for declared in sorted(rules()):
        stale = declared.removesuffix(":*") not in namespaces if declared.endswith(":*") else declared not in names
        if stale:
            problems.append(checks.Error(f"{TABLE.name} declares {declared!r}, which is no URL name.", id="mappa.E002"))
    return problems


class UndeclaredViewMiddleware:
    """Refuses, with a 404, every view that authorization.toml does not declare."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, *args: Any) -> None:
        match = request.resolver_match
        view_name = match.view_name if match else ""
        if rule_for(view_name) is None:
            logger.error("Refused %s: the view %r is not declared in %s", request.path, view_name, TABLE.name)
            raise Http404
