from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agencies.auth import signed_in_user
from agencies.forms import AgencyFilterForm
from agencies.models import District, Role
from agencies.navigation import ROLE_SUMMARIES, tasks_for
from agencies.selectors import (
    agencies_visible_to,
    agency_directory,
    agency_for_user,
    agency_staff,
    user_is_category4_cleared,
)

PAGE_SIZE = 50


def agency_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    areas = agencies_visible_to(user).values("area")
    form = AgencyFilterForm(request.GET or None, districts=District.objects.filter(area__in=areas))
    agencies = agencies_visible_to(user).none()
    if not form.is_bound:
        agencies = agency_directory(user)
    elif form.is_valid():
        district = form.cleaned_data["district"]
        agencies = agency_directory(
            user,
            search=form.cleaned_data["q"],
            kind=form.cleaned_data["kind"],
            district_id=district.pk if district else None,
            order=form.cleaned_data["order"] or "name",
        )
    page = Paginator(agencies, PAGE_SIZE).get_page(request.GET.get("page"))
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "agencies/agency_list.html", {"form": form, "page": page}, status=status)


def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agency = agency_for_user(signed_in_user(request), pk)
    return render(request, "agencies/agency_detail.html", {"agency": agency, "staff": agency_staff(agency)})


def home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    roles = [(role, ROLE_SUMMARIES[role]) for role in sorted(user.roles, key=list(ROLE_SUMMARIES).index)]
    return render(request, "home.html", {"roles": roles, "tasks": tasks_for(user)})


def account(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    context = {
        "account": user,
        "roles": [role.label for role in Role if role in user.roles],
        "category4_cleared": user_is_category4_cleared(user),
    }
    return render(request, "account.html", context)
