"""Every form in the service: explicit field lists, and arbitrary input never breaks validation.

The forms are found by walking the subclasses of Django's form classes, so a new form is covered
as soon as it exists; a form whose constructor needs something the builder below cannot provide
fails `test_every_form_can_be_built` until the builder is taught.
"""

from __future__ import annotations

import datetime
import importlib
import inspect
from typing import Any

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth.forms import AuthenticationForm
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agencies.models import Agency, District
from cases.models import Category, Nominal
from mappa.forms import GovForm, GovModelForm, VersionForm
from referrals.forms import ReferralStepForm, step_form_class
from referrals.models import Referral
from referrals.services import STEPS
from tests.conftest import People
from tests.nominal_fixtures import make_nominal

PROJECT = ("mappa", "agencies", "notifications", "cases", "referrals", "meetings", "reporting", "reminders", "auditing")
for module in ("agencies.forms", "agencies.admin", "cases.forms", "referrals.forms", "meetings.forms"):
    importlib.import_module(module)
for module in ("mappa.forms", "auditing.forms", "reporting.forms", "mappa.second_factor"):
    importlib.import_module(module)

BASES = {GovForm, GovModelForm, VersionForm, ReferralStepForm}
STEP_FORMS = [step_form_class(step) for step in STEPS]  # made per question page, so made here to be found


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found.add(sub)
        found |= _subclasses(sub)
    return found


def project_forms() -> list[type[forms.BaseForm]]:
    classes = {c for c in _subclasses(forms.BaseForm) if c.__module__.startswith(PROJECT) and c not in BASES}
    return sorted(
        classes | set(STEP_FORMS),
        key=lambda c: f"{c.__module__}.{c.__qualname__}",
    )


FORMS = project_forms()


def test_the_walk_finds_the_forms() -> None:
    names = {form.__name__ for form in FORMS}
    assert {
        "NominalDetailsForm",
        "MinutesForm",
        "PersonForm",
        "RiskForm",
        "PeriodForm",
        "CodeForm",
        "SignInForm",
    } <= names


@pytest.mark.parametrize(
    "form_class", [f for f in FORMS if issubclass(f, forms.BaseModelForm)], ids=lambda f: f.__name__
)
def test_model_forms_list_their_fields(form_class: type[forms.BaseModelForm]) -> None:  # type: ignore[type-arg]
    meta = form_class._meta  # type: ignore[attr-defined]
    assert isinstance(meta.fields, list | tuple), f"{form_class.__name__} must list its fields, not {meta.fields!r}"
    assert not meta.exclude, f"{form_class.__name__} excludes fields instead of listing them"


def test_admin_pages_list_their_fields() -> None:
    for model, model_admin in admin.site._registry.items():
        if not model.__module__.startswith(PROJECT):
            continue
        declared = model_admin.fields or model_admin.fieldsets
        assert declared, f"the admin for {model.__name__} must list its fields"


def build_kwargs(form_class: type[forms.BaseForm], people: People) -> dict[str, Any]:
    """What each form's constructor needs, by parameter name."""
    agencies = Agency.objects.filter(area=people.area)
    known: dict[str, Any] = {
        "area": people.area,
        "today": datetime.date(2025, 6, 2),
        "agencies": agencies,
        "area_agencies": agencies,
        "nominals": Nominal.objects.filter(area=people.area),
        "urgent": False,
        "show_executive_summary": True,
        "draft": False,
        "candidates": [],
        "waiting": Referral.objects.filter(area=people.area),
        "districts": District.objects.filter(area=people.area),
        "category": Category.REGISTERED_SEXUAL_OFFENDER,
    }
    wanted = {}
    for name, parameter in inspect.signature(form_class.__init__).parameters.items():
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY and parameter.default is inspect.Parameter.empty:
            if name == "nominal":  # made only for the forms that need one
                known[name] = make_nominal(actor=people.coordinator, area=people.area, lead_agency=people.police)
            if name not in known:
                raise LookupError(f"teach build_kwargs how to give {form_class.__name__} its {name!r}")
            wanted[name] = known[name]
    if issubclass(form_class, AuthenticationForm):
        wanted["request"] = RequestFactory().post("/sign-in/")
    return wanted


def make(form_class: type[forms.BaseForm], people: People, data: dict[str, Any] | None) -> forms.BaseForm:
    kwargs = build_kwargs(form_class, people)
    request = kwargs.pop("request", "absent")
    if request != "absent":
        return form_class(request, data=data, **kwargs)  # type: ignore[call-arg,misc]
    return form_class(data=data, **kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", FORMS, ids=lambda f: f.__name__)
def test_every_form_can_be_built(form_class: type[forms.BaseForm], people: People) -> None:
    form = make(form_class, people, None)
    assert form.fields


def _input_names(form: forms.BaseForm) -> list[tuple[str, forms.Field]]:
    names = []
    for bound in form:
        widget = bound.field.widget
        if isinstance(widget, forms.MultiWidget):
            names += [(f"{bound.html_name}{suffix}", bound.field) for suffix in widget.widgets_names]
        else:
            names.append((bound.html_name, bound.field))
    return names


def _value(field: forms.Field) -> st.SearchStrategy[Any]:
    anything = st.one_of(
        st.just(""),
        st.text(max_size=40),
        st.integers(min_value=-(10**12), max_value=10**12).map(str),
        st.sampled_from(["0", "2025", "31", "13", "-1", "1e9", "NaN", "\x00", "<script>", "' OR 1=1 --"]),
    )
    choices = [str(value) for value, _ in getattr(field, "choices", []) if value not in ("", None)][:30]
    single = st.one_of(anything, st.sampled_from(choices)) if choices else anything
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return st.lists(single, max_size=4)
    return single


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", FORMS, ids=lambda f: f.__name__)
def test_arbitrary_input_gives_errors_or_a_valid_form(form_class: type[forms.BaseForm], people: People) -> None:
    names = _input_names(make(form_class, people, None))

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.fixed_dictionaries({name: _value(field) for name, field in names}))
    def check(data: dict[str, Any]) -> None:
        form = make(form_class, people, data)
        valid = form.is_valid()
        assert isinstance(valid, bool)
        if not valid:
            assert form.errors
            str(form.errors)  # the messages render

    check()


OFFERING_RECORDS = [
    form_class
    for form_class in FORMS
    if issubclass(form_class, GovForm | GovModelForm)
    and any(isinstance(field, forms.ModelChoiceField) for field in form_class.base_fields.values())
]


def test_some_forms_offer_records() -> None:
    assert len(OFFERING_RECORDS) >= 5


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", OFFERING_RECORDS, ids=lambda f: f.__name__)
def test_record_choices_are_read_once_per_form(form_class: type[forms.BaseForm], people: People) -> None:
    """A form offering records (districts, agencies) reads each list with one plain query however
    often it is shown, not through a server-side cursor."""
    form = make(form_class, people, None)
    record_fields = [bound for bound in form if isinstance(bound.field, forms.ModelChoiceField)]
    with CaptureQueriesContext(connection) as captured:
        for _ in range(2):
            for bound in record_fields:
                str(bound)
                len(bound.field.choices)  # type: ignore[attr-defined]
    lists_read = [query for query in captured.captured_queries if "ORDER BY" in query["sql"] or "COUNT" in query["sql"]]
    assert len(lists_read) <= len(record_fields)
    assert not [query for query in captured.captured_queries if "DECLARE" in query["sql"]]


@pytest.mark.django_db
def test_a_record_choice_is_checked_against_the_database_not_the_list_shown(people: People) -> None:
    from cases.forms import NominalFilterForm

    ashford = District.objects.create(area=people.area, name="Ashford")
    brighton = District.objects.create(area=people.other_area, name="Brighton")
    form = NominalFilterForm({"district": ashford.pk}, area=people.area)
    assert "Ashford" in [label for _, label in form.fields["district"].choices]  # type: ignore[attr-defined]
    ashford.delete()
    assert not form.is_valid()
    assert not NominalFilterForm({"district": brighton.pk}, area=people.area).is_valid()
    assert NominalFilterForm({"district": people.housing.district_id}, area=people.area).is_valid()
