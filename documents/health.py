"""Whether the document store answers, for /readyz: the object store's bucket, or a directory the
service can write to."""

from __future__ import annotations

import logging
import os

from botocore.exceptions import BotoCoreError, ClientError
from storages.backends.s3 import S3Storage

from documents.models import documents_storage

logger = logging.getLogger(__name__)


def document_store() -> dict[str, object]:
    storage = documents_storage()
    if isinstance(storage, S3Storage):
        try:
            storage.connection.meta.client.head_bucket(Bucket=storage.bucket_name)
        except (BotoCoreError, ClientError):
            logger.exception("Readiness: the document bucket does not answer")
            return {"documents": "unavailable"}
        return {"documents": "ok"}
    directory = storage.path("")
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError:
        logger.exception("Readiness: the document directory cannot be made")
        return {"documents": "unavailable"}
    if not os.access(directory, os.W_OK | os.X_OK):
        logger.error("Readiness: the document directory %s is not writable", directory)
        return {"documents": "unavailable"}
    return {"documents": "ok"}
