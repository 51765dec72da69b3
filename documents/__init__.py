"""Documents on nominals, referrals and meetings: agency reports, reports in lieu of attendance,
referral attachments, pre-meeting papers, licences and orders. Seen exactly by who may see the
record they belong to, narrowed where the uploader says; every upload, download, preview and
withdrawal audited; files checked by content, stored through Django's storage API and served only
through a view that checks access."""
