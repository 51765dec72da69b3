"""The production stack's files agree with each other and with what CI runs."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("migrate", "web", "worker", "beat")


def _env_example() -> set[str]:
    return set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), flags=re.MULTILINE))


def test_every_long_running_service_has_a_health_check() -> None:
    for name in ("postgres", "redis", "objectstore", "web", "worker", "beat"):
        assert "test" in SERVICES[name].get("healthcheck", {}), name


def test_data_lives_in_named_volumes() -> None:
    for name, path in (("postgres", "/var/lib/postgresql/data"), ("redis", "/data"), ("objectstore", "/data")):
        volume = next(v.split(":")[0] for v in SERVICES[name]["volumes"] if v.endswith(path))
        assert volume in COMPOSE["volumes"], name


def test_the_app_reads_the_env_file_and_the_same_variables_as_ci() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    ci_variables = set(re.findall(r"^export ([A-Z_]+)=\"\$\{\1:-", ci, flags=re.MULTILINE))
    assert ci_variables == {"DATABASE_URL", "REDIS_URL"}
    for name in APP_SERVICES:
        service = SERVICES[name]
        assert service["env_file"] == ".env" or service["env_file"] == [".env"], name
        assert set(service["environment"]) == ci_variables, name


def test_the_app_waits_for_healthy_dependencies_and_migrations() -> None:
    for name in APP_SERVICES:
        depends = SERVICES[name]["depends_on"]
        if name == "migrate":
            assert {depends[service]["condition"] for service in ("postgres", "redis", "objectstore")} == {
                "service_healthy"
            }
        else:
            assert depends["migrate"]["condition"] == "service_completed_successfully", name


def test_every_setting_read_from_the_environment_is_in_env_example() -> None:
    source = "\n".join(path.read_text() for path in (ROOT / "mappa").glob("*.py"))
    read = set(re.findall(r'env_(?:str|int|bool|list)\("([A-Z_]+)"', source))
    build_time = {"STATIC_MANIFEST"}  # set by the Dockerfile when it collects static files

    assert read - build_time <= _env_example()


def test_the_image_runs_as_a_non_root_user_and_builds_assets_in_its_own_stage() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert re.search(r"^FROM node:\S+ AS assets$", dockerfile, flags=re.MULTILINE)
    assert "COPY --from=assets" in dockerfile
    assert re.search(r"^USER mappa$", dockerfile, flags=re.MULTILINE)


def test_the_object_store_of_the_stack_is_the_one_env_example_points_the_app_at() -> None:
    store = SERVICES["objectstore"]
    env = dict(re.findall(r"^([A-Z_0-9]+)=(.*)$", (ROOT / ".env.example").read_text(), flags=re.MULTILINE))

    assert env["DOCUMENTS_S3_ENDPOINT_URL"] == "http://objectstore:8333"
    assert "-s3.port=8333" in store["command"]
    assert "-bucket=${DOCUMENTS_S3_BUCKET:-mappa-documents}" in store["command"]
    assert store["environment"]["AWS_ACCESS_KEY_ID"].startswith("${DOCUMENTS_S3_ACCESS_KEY_ID")
    assert store["environment"]["AWS_SECRET_ACCESS_KEY"].startswith("${DOCUMENTS_S3_SECRET_ACCESS_KEY")
    assert "ports" not in store  # only the app containers reach it


def test_the_image_holds_every_app_of_the_service() -> None:
    from django.conf import settings

    copied = set(re.findall(r"^COPY (\w+) \./\1$", (ROOT / "Dockerfile").read_text(), flags=re.MULTILINE))
    apps = {app.split(".")[0] for app in settings.INSTALLED_APPS if (ROOT / app.split(".")[0]).is_dir()}

    assert apps - {"devtools"} <= copied, "the Dockerfile must COPY these apps"
