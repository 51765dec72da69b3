"""Putting a document's file into the store and taking it out, where a full disk, a read-only
directory or an object store that does not answer is a refusal the person is told about, never a
half-written file or a 500."""

from __future__ import annotations

import logging

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile

from documents.models import Document

logger = logging.getLogger(__name__)

# What a file system (no space, read-only, permissions) or an object store (no answer, refused) raises.
STORE_FAILURES = (OSError, BotoCoreError, ClientError)


class StoreUnavailable(Exception):
    """The document store could not keep, or give back, a file."""


def store_file(document: Document, data: bytes) -> None:
    """Write the document's file. On failure whatever part of it was written is removed (a stored
    name belongs to one document only, so nothing else can be there) and StoreUnavailable raised."""
    name = document.file.field.generate_filename(document, document.filename)
    try:
        document.file.save(document.filename, ContentFile(data), save=False)
    except STORE_FAILURES as failure:
        logger.exception("The document store refused document %s", document.pk)
        try:
            document.file.storage.delete(name)
        except STORE_FAILURES:
            logger.exception("A partly written file %s could not be removed", name)
        raise StoreUnavailable from failure


def open_file(document: Document) -> FieldFile:
    """The document's file, open for reading; StoreUnavailable if the store cannot give it back."""
    try:
        opened: FieldFile = document.file.open("rb")
        # An object store's file is fetched on first use: fetch it now, not half-way through a response.
        opened.file.file  # noqa: B018
    except STORE_FAILURES as failure:
        logger.exception("The document store could not give back document %s", document.pk)
        raise StoreUnavailable from failure
    return opened
