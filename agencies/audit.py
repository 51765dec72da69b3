"""Which fields of this app's models are tracked by the audit log (explicit lists, never all)."""

from auditlog.registry import auditlog

from agencies.models import Agency, Area, AreaPopulation, AreaUserObjectPermission, District, RoleGrant, User

auditlog.register(
    Area,
    include_fields=[
        "name",
        "code",
        "level2_review_weeks",
        "level3_review_weeks",
        "screening_weekday",
        "screening_target_days",
        "first_meeting_target_days",
        "minutes_target_days",
    ],
)
auditlog.register(AreaPopulation, include_fields=["area", "year", "population_aged_10_plus"])
auditlog.register(District, include_fields=["area", "name"])
auditlog.register(Agency, include_fields=["name", "kind", "area", "district", "is_active"])
auditlog.register(
    User,
    include_fields=[
        "username",
        "first_name",
        "last_name",
        "email",
        "job_title",
        "agency",
        "is_active",
        "is_staff",
        "is_superuser",
        "password",
    ],
    # A password change is recorded as a change, never with the hash itself.
    mask_fields=["password"],
)
auditlog.register(RoleGrant, include_fields=["user", "role"])
auditlog.register(AreaUserObjectPermission, include_fields=["user", "permission", "content_object"])
