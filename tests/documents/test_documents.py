"""Documents on nominals, referrals and meetings: upload and its refusals, download, who sees what,
withdrawal, and a stored file altered behind the service's back. Run against the file system and,
with DOCUMENTS_S3_BUCKET set, against an object store."""

from __future__ import annotations

import datetime
import errno
import hashlib
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from storages.backends.s3 import S3Storage

from agencies.models import Role
from documents.models import Document, documents_storage
from documents.services import document_upload
from mappa.audit.models import AuditEntry, AuditEvent
from mappa.audit.verify import verify_chain
from tests.conftest import People, client_for
from tests.documents.files import docx, pdf, png
from tests.factories import AgencyFactory, make_user
from tests.nominal_fixtures import Cases

pytestmark = [pytest.mark.django_db, pytest.mark.documents]

TODAY = datetime.date.today()


def _form(file: SimpleUploadedFile, **values: Any) -> dict[str, Any]:
    return {
        "file": file,
        "title": "Risk assessment",
        "kind": "risk_assessment",
        "provided_by": values.pop("provided_by"),
        "dated_0": TODAY.day,
        "dated_1": TODAY.month,
        "dated_2": TODAY.year,
        "marking": "official_sensitive",
        "audience": "everyone",
        **values,
    }


def _upload(people: People, cases: Cases, data: bytes, name: str = "assessment.pdf", **values: Any):  # type: ignore[no-untyped-def]
    path = reverse("documents:upload-for-nominal", args=[cases.own.case_reference])
    file = SimpleUploadedFile(name, data, content_type="application/pdf")
    return client_for(people.coordinator).post(path, _form(file, provided_by=people.police.pk, **values))


def _stored(document: Document) -> bytes:
    with document.file.open("rb") as stored:
        return stored.read()


def test_a_coordinator_adds_a_document_and_it_is_listed_on_the_record(people: People, cases: Cases) -> None:
    data = pdf()
    response = _upload(people, cases, data, note="From the OASys review")

    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.nominal, document.title, document.content_type) == (
        cases.own,
        "Risk assessment",
        "application/pdf",
    )
    assert (document.size, document.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert _stored(document) == data
    assert document.provided_by == people.police
    entry = AuditEntry.objects.get(event=AuditEvent.DOCUMENT_UPLOADED)
    assert entry.additional_data["sha256"] == document.sha256
    assert (entry.nominal_id, entry.actor) == (cases.own.pk, people.coordinator)
    assert entry.ground
    records = client_for(people.coordinator).get(f"/nominals/{cases.own.case_reference}/orders-and-events/")
    assert "Risk assessment" in records.content.decode()
    assert reverse("documents:download", args=[document.pk]) in records.content.decode()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.pdf", "The selected file is empty"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" * 20, "report.pdf", "The selected file must be a PDF"),
        (b"%PDF-1.7\nnot really a pdf at all", "fake.pdf", "not a PDF that can be read"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "old.doc", "Older Office files"),
        (docx(macros=True), "macros.docx", "Files with macros are not accepted"),
        (b"PK\x03\x04" + b"\x00" * 40, "archive.zip", "The selected file must be a PDF"),
    ],
)
def test_a_file_that_is_not_an_accepted_kind_by_its_content_is_refused_and_nothing_is_stored(
    people: People, cases: Cases, data: bytes, name: str, message: str, settings: Any
) -> None:
    response = _upload(people, cases, data, name=name)

    assert response.status_code == 400
    content = response.content.decode()
    assert "There is a problem" in content
    assert message in content
    assert not Document.objects.exists()
    assert not AuditEntry.objects.filter(event=AuditEvent.DOCUMENT_UPLOADED).exists()


def test_an_upload_that_cannot_be_audited_is_not_kept_and_leaves_no_file(
    people: People, cases: Cases, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = documents_storage()
    names: list[str] = []
    save = storage.save

    def save_and_remember(name: str, *args: Any, **kwargs: Any) -> str:
        names.append(save(name, *args, **kwargs))
        return names[-1]

    monkeypatch.setattr(storage, "save", save_and_remember)

    def unavailable(**kwargs: Any) -> None:
        raise RuntimeError("the audit log cannot be written")

    monkeypatch.setattr("documents.services.audit_record", unavailable)
    with pytest.raises(RuntimeError):
        _upload(people, cases, pdf())

    assert len(names) == 1
    assert not storage.exists(names[0])
    assert not Document.objects.exists()


def _store_failure(storage: Any) -> Exception:
    """What the store in use raises when it cannot take or give a file: a full disk, or an object
    store that does not answer."""
    if isinstance(storage, S3Storage):
        return EndpointConnectionError(endpoint_url="https://documents.invalid")
    return OSError(errno.ENOSPC, "No space left on device")


def test_an_upload_the_store_cannot_take_is_refused_clearly_and_leaves_nothing_behind(
    people: People, cases: Cases, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = documents_storage()
    names: list[str] = []
    save = storage._save

    def fill_up(name: str, content: Any) -> str:
        names.append(name)
        if not isinstance(storage, S3Storage):  # a disk fills up part-way through a file
            save(name, ContentFile(content.read()[:100]))
        raise _store_failure(storage)

    monkeypatch.setattr(storage, "_save", fill_up)
    response = _upload(people, cases, pdf(), title="Refused")

    assert response.status_code == 503
    assert "document store is not accepting files" in response.content.decode()
    assert 'value="Refused"' in response.content.decode()  # the person's input is kept
    assert len(names) == 1
    assert not storage.exists(names[0])
    assert not Document.objects.exists()
    assert not AuditEntry.objects.filter(event=AuditEvent.DOCUMENT_UPLOADED).exists()


def test_a_document_the_store_cannot_give_back_is_a_503_and_not_recorded_as_read(
    people: People, cases: Cases, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = _document(people, cases.shared)
    storage = documents_storage()

    def unavailable(*args: Any, **kwargs: Any) -> None:
        raise _store_failure(storage)

    monkeypatch.setattr(storage, "_open", unavailable)
    response = client_for(people.housing_officer).get(reverse("documents:download", args=[document.pk]))

    assert response.status_code == 503
    assert response["Retry-After"]
    assert "cannot be opened at the moment" in response.content.decode()
    assert not AuditEntry.objects.filter(event=AuditEvent.DOCUMENT_DOWNLOADED).exists()


def test_an_oversized_file_is_refused(people: People, cases: Cases, settings: Any) -> None:
    settings.DOCUMENT_MAX_BYTES = 1024

    response = _upload(people, cases, pdf("x" * 40) + b"%" * 2000)

    assert response.status_code == 400
    assert "The selected file must be smaller than" in response.content.decode()
    assert not Document.objects.exists()


def test_a_path_in_the_filename_is_dropped_and_the_stored_name_is_random(people: People, cases: Cases) -> None:
    response = _upload(people, cases, pdf(), name="../../../etc/passwd .pdf")
    windows = _upload(people, cases, png(), name="C:\\Users\\someone\\..\\photo.exe")

    assert response.status_code == windows.status_code == 302
    first, second = Document.objects.order_by("uploaded_at")
    assert first.filename == "passwd.pdf"
    assert second.filename == "photo.png"  # the name takes the extension its content calls for
    for document in (first, second):
        assert ".." not in document.file.name
        assert document.file.name == f"documents/{document.pk.hex[:2]}/{document.pk.hex}"


def test_word_and_image_files_are_accepted_by_content(people: People, cases: Cases) -> None:
    assert _upload(people, cases, docx(), name="report.docx").status_code == 302
    assert _upload(people, cases, png(), name="scan.png").status_code == 302
    kinds = set(Document.objects.values_list("content_type", flat=True))
    assert kinds == {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "image/png"}
    # an image is shown in the browser; a Word file is only ever downloaded
    word, image = Document.objects.order_by("uploaded_at")
    coordinator = client_for(people.coordinator)
    assert coordinator.get(reverse("documents:preview", args=[image.pk]))["Content-Disposition"].startswith("inline")
    assert coordinator.get(reverse("documents:preview", args=[word.pk])).status_code == 404
    assert coordinator.get(reverse("documents:download", args=[word.pk])).status_code == 200


def _document(people: People, parent: Any, **values: Any) -> Document:
    fields = {
        "title": values.pop("title", "Licence"),
        "kind": "licence",
        "provided_by": people.unit,
        "dated": TODAY,
        "audience": values.pop("audience", "everyone"),
    }
    return document_upload(
        actor=people.coordinator,
        parent=parent,
        values=fields,
        data=pdf(),
        filename="licence.pdf",
        agencies=values.pop("agencies", ()),
    )


def test_a_download_is_an_attachment_never_cached_or_sniffed_and_is_audited(people: People, cases: Cases) -> None:
    document = _document(people, cases.shared)

    response = client_for(people.housing_officer).get(reverse("documents:download", args=[document.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="licence.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == _stored(document)
    entry = AuditEntry.objects.get(event=AuditEvent.DOCUMENT_DOWNLOADED)
    assert (entry.actor, entry.nominal_id) == (people.housing_officer, cases.shared.pk)
    assert "Shared with" in entry.ground
    preview = client_for(people.housing_officer).get(reverse("documents:preview", args=[document.pk]))
    assert preview["Content-Disposition"].startswith("inline")
    assert AuditEntry.objects.filter(event=AuditEvent.DOCUMENT_PREVIEWED).count() == 1


def test_a_guessed_download_address_is_not_found_and_the_attempt_is_audited(people: People, cases: Cases) -> None:
    document = _document(people, cases.own)  # led by Kent Police, not shared with housing

    response = client_for(people.housing_officer).get(reverse("documents:download", args=[document.pk]))
    nonsense = client_for(people.housing_officer).get("/documents/00000000-0000-0000-0000-000000000000/")

    assert response.status_code == nonsense.status_code == 404
    refused = AuditEntry.objects.filter(event=AuditEvent.VIEW_REFUSED, actor=people.housing_officer)
    assert {entry.additional_data["document"] for entry in refused} == {
        str(document.pk),
        "00000000-0000-0000-0000-000000000000",
    }
    assert not AuditEntry.objects.filter(event=AuditEvent.DOCUMENT_DOWNLOADED).exists()


def test_a_document_for_the_responsible_authority_only_is_hidden_from_other_agencies(
    people: People, cases: Cases
) -> None:
    for_police = _document(people, cases.shared, title="Intelligence summary", audience="responsible_authority")
    everyone = _document(people, cases.shared, title="Licence conditions")

    housing = client_for(people.housing_officer)
    police = client_for(people.practitioner)
    listed = housing.get(f"/nominals/{cases.shared.case_reference}/orders-and-events/").content.decode()

    assert housing.get(reverse("documents:download", args=[for_police.pk])).status_code == 404
    assert police.get(reverse("documents:download", args=[for_police.pk])).status_code == 200
    assert "Intelligence summary" not in listed
    assert "Licence conditions" in listed
    assert housing.get(reverse("documents:download", args=[everyone.pk])).status_code == 200


def test_a_document_for_named_agencies_is_seen_by_them_and_the_coordinators_only(people: People, cases: Cases) -> None:
    childrens = AgencyFactory(area=people.area, name="Children's Services", kind="childrens_services")
    social_worker = make_user("social", agency=childrens, roles=(Role.DTC_STAFF,))
    from cases.services import nominal_share

    nominal_share(actor=people.coordinator, nominal=cases.shared, agency=childrens, include_restricted=False)
    named = _document(people, cases.shared, audience="named_agencies", agencies=[childrens])

    assert client_for(social_worker).get(reverse("documents:download", args=[named.pk])).status_code == 200
    assert client_for(people.housing_officer).get(reverse("documents:download", args=[named.pk])).status_code == 404
    assert client_for(people.coordinator).get(reverse("documents:download", args=[named.pk])).status_code == 200


def test_category_4_documents_follow_the_clearance(people: People, cases: Cases) -> None:
    document = _document(people, cases.category4)
    uncleared = make_user("uncleared-coordinator", agency=people.unit, roles=(Role.COORDINATOR,))

    assert client_for(people.coordinator).get(reverse("documents:download", args=[document.pk])).status_code == 200
    assert client_for(uncleared).get(reverse("documents:download", args=[document.pk])).status_code == 404


def test_a_withdrawn_document_is_hidden_from_everyone_and_kept(people: People, cases: Cases) -> None:
    document = _document(people, cases.shared)
    client = client_for(people.coordinator)
    path = reverse("documents:withdraw", args=[document.pk])

    unconfirmed = client.post(path, {"reason": "Uploaded to the wrong record"})
    done = client.post(path, {"reason": "Uploaded to the wrong record", "confirm": "on"})

    assert unconfirmed.status_code == 400
    assert done.status_code == 302
    document.refresh_from_db()
    assert document.withdrawn
    assert document.review_retention_on is not None
    assert document.review_retention_on > TODAY
    assert hashlib.sha256(_stored(document)).hexdigest() == document.sha256  # hidden, not destroyed
    assert client_for(people.housing_officer).get(reverse("documents:download", args=[document.pk])).status_code == 404
    assert client.get(reverse("documents:download", args=[document.pk])).status_code == 404
    entry = AuditEntry.objects.get(event=AuditEvent.DOCUMENT_WITHDRAWN)
    assert entry.additional_data["reason"] == "Uploaded to the wrong record"
    listed = client.get(f"/nominals/{cases.shared.case_reference}/orders-and-events/").content.decode()
    assert "Withdrawn documents (1)" in listed
    housing_listed = client_for(people.housing_officer).get(
        f"/nominals/{cases.shared.case_reference}/orders-and-events/"
    )
    assert "Withdrawn documents" not in housing_listed.content.decode()


def test_only_the_coordinators_and_the_uploaders_agency_withdraw(people: People, cases: Cases) -> None:
    document = _document(people, cases.shared)

    response = client_for(people.housing_officer).post(
        reverse("documents:withdraw", args=[document.pk]), {"reason": "Mine", "confirm": "on"}
    )

    assert response.status_code == 403
    document.refresh_from_db()
    assert not document.withdrawn


def test_an_altered_file_is_named_by_the_check(people: People, cases: Cases, capsys: Any) -> None:
    kept = _document(people, cases.own, title="Kept")
    altered = _document(people, cases.own, title="Altered")
    call_command("verify_documents")
    assert "Checked 2 documents" in capsys.readouterr().out

    storage = altered.file.storage
    storage.delete(altered.file.name)
    storage.save(altered.file.name, ContentFile(pdf("A different report")))

    with pytest.raises(CommandError, match="1 of 2 documents failed"):
        call_command("verify_documents")
    errors = capsys.readouterr().err
    assert f"Document {altered.pk} ('Altered', licence.pdf): its file has changed since it was uploaded" in errors
    assert str(kept.pk) not in errors
    assert verify_chain()[1] is None  # the log itself is untouched


def test_changing_the_recorded_hash_with_the_file_is_caught_by_the_logged_one(people: People, cases: Cases) -> None:
    document = _document(people, cases.own)
    other = pdf("Swapped")
    storage = document.file.storage
    storage.delete(document.file.name)
    storage.save(document.file.name, ContentFile(other))
    Document.objects.filter(pk=document.pk).update(sha256=hashlib.sha256(other).hexdigest())

    from documents.verify import verify_documents

    checked, problems = verify_documents()
    assert checked == 1
    assert {problem.what for problem in problems} == {
        "its recorded SHA-256 differs from the one its upload logged",
        "its file has changed since it was uploaded",
    }


def test_the_record_page_lists_documents_in_a_constant_number_of_queries(
    people: People, cases: Cases, django_assert_max_num_queries: Any
) -> None:
    client = client_for(people.coordinator)
    path = f"/nominals/{cases.own.case_reference}/orders-and-events/"
    _document(people, cases.own)
    client.get(path)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(path)
    for number in range(4):
        _document(people, cases.own, title=f"Report {number}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(path)


def test_an_unsigned_in_visitor_is_sent_to_sign_in(people: People, cases: Cases) -> None:
    document = _document(people, cases.own)

    response = Client().get(reverse("documents:download", args=[document.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")
