from tests.reporting.kpi_world import world  # noqa: F401  (a fixture for the KPI and page tests)
