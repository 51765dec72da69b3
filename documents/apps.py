from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Documents"

    def ready(self) -> None:
        from documents.health import document_store
        from documents.selectors import documents_panel, reports_in_lieu_panel, reports_received_panel
        from mappa import health
        from mappa.panels import add_panel

        health.register(document_store, status="documents")

        for page in (
            "cases:nominal-records",
            "referrals:referral-detail",
            "meetings:meeting-detail",
            "reviews:review-detail",
        ):
            add_panel(page, documents_panel)
        add_panel("meetings:meeting-detail", reports_received_panel)
        add_panel("meetings:work", reports_in_lieu_panel)
