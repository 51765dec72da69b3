from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Serious case reviews"

    def ready(self) -> None:
        from mappa.panels import add_panel
        from reviews import audit  # noqa: F401  (registers the models with the audit log)
        from reviews.selectors import nominal_reviews_panel

        add_panel("cases:nominal-records", nominal_reviews_panel)
