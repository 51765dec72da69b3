from django.contrib import admin

from mappa.audit.models import AuditEntry

# Auditors read the audit log through their own filtered pages, never through the admin, and
# system administrators do not see it at all.
if admin.site.is_registered(AuditEntry):
    admin.site.unregister(AuditEntry)
