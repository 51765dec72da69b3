"""The auditors' pages over the audit log: searches, a nominal's and a user's history, access
reports, and the daily check of the hash chain. The log itself is part of the core (`mappa.audit`)."""
