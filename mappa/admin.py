from django.contrib import admin

from mappa.audit.models import AuditEntry

# Auditors read the audit log through their own filtered pages, never through the admin, and
# system administrators do not see it at all.
if admin.site.is_registered(AuditEntry):
    admin.site.unregister(AuditEntry)

# The sign-in libraries' own admin pages (lockout records, second-factor devices) would be open to
# superusers only; system administrators reset a person's second factor from the Users page, and
# lockouts lift on their own (or with `manage.py axes_reset_username`).
for model in [model for model in admin.site._registry if model._meta.app_label in ("axes", "otp_totp", "otp_static")]:
    admin.site.unregister(model)
