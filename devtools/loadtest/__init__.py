"""The Locust scenario that `manage.py load_test` runs against the service (see locustfile.py)."""
