"""/readyz reports whether the document store answers: the object store's bucket when one is
configured, otherwise a directory the service can write to."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.documents]


def test_ready_when_the_store_answers() -> None:
    response = Client().get("/readyz")

    assert response.status_code == 200
    assert response.json()["documents"] == "ok"


def test_not_ready_when_the_store_does_not_answer(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    if settings.DOCUMENTS_S3_BUCKET:
        storages = copy.deepcopy(settings.STORAGES)
        storages["documents"]["OPTIONS"]["bucket_name"] = "a-bucket-nobody-made"
        settings.STORAGES = storages
    else:
        in_the_way = tmp_path / "a-file"
        in_the_way.write_text("not a directory")
        settings.MEDIA_ROOT = str(in_the_way / "documents")

    response = Client().get("/readyz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["documents"] == "unavailable"
