"""The Django admin is the system administrators' tool for people, agencies and reference data.

It never shows case content, and nothing can be deleted here: people are deactivated, agencies
marked inactive. Every save goes through the services so that it is validated and audited.
"""

import datetime
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from agencies.models import Agency, Area, AreaPopulation, District, Role, User
from agencies.selectors import user_is_category4_cleared
from agencies.services import agency_save, user_deactivate, user_reset_second_factor, user_save


class SystemAdministratorOnly:
    """Only system administrators (and the bootstrap superuser) may use these pages; nobody deletes."""

    def _is_administrator(self, request: HttpRequest) -> bool:
        user = request.user
        return (
            isinstance(user, User)
            and user.is_active
            and (user.is_superuser or user.has_role(Role.SYSTEM_ADMINISTRATOR))
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_administrator(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_administrator(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._is_administrator(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_administrator(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _admin_site_has_permission(request: HttpRequest) -> bool:
    return SystemAdministratorOnly()._is_administrator(request)


admin.site.has_permission = _admin_site_has_permission  # type: ignore[method-assign]
admin.site.unregister(Group)


class DistrictInline(SystemAdministratorOnly, admin.TabularInline[District, Area]):
    model = District
    fields = ["name"]
    extra = 0


class PopulationInline(SystemAdministratorOnly, admin.TabularInline[AreaPopulation, Area]):
    model = AreaPopulation
    fields = ["year", "population_aged_10_plus"]
    extra = 0


@admin.register(Area)
class AreaAdmin(SystemAdministratorOnly, admin.ModelAdmin[Area]):
    list_display = ["name", "code", "level2_review_weeks", "level3_review_weeks", "screening_target_days"]
    search_fields = ["name", "code"]
    fields = [
        "name",
        "code",
        "level2_review_weeks",
        "level3_review_weeks",
        "screening_weekday",
        "screening_target_days",
        "first_meeting_target_days",
        "minutes_target_days",
    ]
    inlines = [DistrictInline, PopulationInline]


@admin.register(Agency)
class AgencyAdmin(SystemAdministratorOnly, admin.ModelAdmin[Agency]):
    list_display = ["name", "kind", "area", "district", "is_active"]
    list_filter = ["area", "kind", "is_active"]
    search_fields = ["name"]
    fields = ["name", "kind", "area", "district", "is_active"]
    autocomplete_fields = ["area"]

    def save_model(self, request: HttpRequest, obj: Agency, form: Any, change: bool) -> None:
        agency_save(actor=_actor(request), agency=obj)


class UserChangeForm(forms.ModelForm[User]):
    roles = forms.MultipleChoiceField(choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple)
    category4_cleared = forms.BooleanField(
        required=False,
        label="Cleared for Category 4",
        help_text="May see terrorism and terrorism-risk (Category 4) cases in their agency's area.",
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "job_title", "agency", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].required = True
        if self.instance.pk:
            self.fields["roles"].initial = sorted(self.instance.roles)
            self.fields["category4_cleared"].initial = user_is_category4_cleared(self.instance)

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if self.instance.is_machine and (data.get("roles") or data.get("category4_cleared")):
            raise forms.ValidationError("A partner system's account holds no role and no clearance")
        return data


class UserCreationForm(UserChangeForm):
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters; common passwords are refused.",
    )

    class Meta(UserChangeForm.Meta):
        fields = [*UserChangeForm.Meta.fields, "password"]

    def clean_password(self) -> str:
        from django.contrib.auth.password_validation import validate_password

        password: str = self.cleaned_data["password"]
        validate_password(password, self.instance)
        return password

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.set_password(self.cleaned_data["password"])
        return user


DORMANT_AFTER = datetime.timedelta(days=90)


class DormantFilter(admin.SimpleListFilter):
    """Active accounts nobody has signed in to for 90 days (or ever, 90 days after they were made):
    each to review, and deactivate if the person has gone."""

    title = "sign-in"
    parameter_name = "dormant"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "No sign-in for 90 days")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
        if self.value() != "yes":
            return queryset
        since = timezone.now() - DORMANT_AFTER
        return queryset.filter(is_active=True, is_machine=False).filter(
            Q(last_login__lt=since) | Q(last_login__isnull=True, date_joined__lt=since)
        )


@admin.register(User)
class UserAdmin(SystemAdministratorOnly, DjangoUserAdmin):  # type: ignore[type-arg]
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ["username", "first_name", "last_name", "agency", "is_active", "last_login"]
    list_filter = [DormantFilter, "is_active", "agency__area", "agency__kind", "role_grants__role"]
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering = ["username"]
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = []
    actions = ["deactivate", "reset_second_factor"]
    fieldsets = [
        (None, {"fields": ["username", "first_name", "last_name", "email", "job_title"]}),
        ("Agency and access", {"fields": ["agency", "roles", "category4_cleared", "is_active"]}),
        ("Activity", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "first_name", "last_name", "email", "job_title", "password"]}),
        ("Agency and access", {"fields": ["agency", "roles", "category4_cleared"]}),
    ]

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        user_save(
            actor=_actor(request),
            user=obj,
            roles=[Role(value) for value in form.cleaned_data["roles"]],
            category4_cleared=form.cleaned_data["category4_cleared"],
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Group membership and roles are set by user_save; the form has no related fields of its own.
        pass

    @admin.action(description="Deactivate the selected users")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        actor = _actor(request)
        for user in queryset.filter(is_active=True):
            user_deactivate(actor=actor, user=user)
        self.message_user(request, "The selected users have been deactivated.", messages.SUCCESS)

    @admin.action(description="Reset two-factor sign-in (they set up a new authenticator when they next sign in)")
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        actor = _actor(request)
        if actor is None:
            raise PermissionDenied
        for user in queryset:
            user_reset_second_factor(actor=actor, user=user)
        self.message_user(request, "Two-factor sign-in has been reset for the selected users.", messages.SUCCESS)


def _actor(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None
