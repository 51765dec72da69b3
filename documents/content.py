"""What a file really is, judged by its content, not its name: PDF, Word, Excel or PowerPoint
(Office Open XML) and PNG or JPEG images only. Each kind is checked by the library that reads it
(pypdf for PDF, the zip reader and the package's own content types for Office, Pillow for images),
so that a renamed program, an archive or a macro-enabled document is refused."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError

OFFICE = {
    "word/document.xml": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "xl/workbook.xml": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    "ppt/presentation.xml": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pptx",
    ),
}
ALLOWED = "a PDF, a Word, Excel or PowerPoint file (.docx, .xlsx, .pptx), or a PNG or JPEG image"


class RefusedFile(ValueError):
    """The file is not one of the kinds accepted; the message says why, for the person uploading."""


@dataclass(frozen=True)
class Kind:
    content_type: str
    extension: str


def identify(data: bytes) -> Kind:
    """The file's kind, from its content; RefusedFile if it is none of the accepted kinds."""
    if not data:
        raise RefusedFile("The selected file is empty")
    if data.startswith(b"%PDF-"):
        return _pdf(data)
    if data.startswith(b"PK\x03\x04"):
        return _office(data)
    if data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        return _image(data)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise RefusedFile("Older Office files (.doc, .xls) are not accepted: save it as .docx or .xlsx, or as a PDF")
    raise RefusedFile(f"The selected file must be {ALLOWED}")


def _pdf(data: bytes) -> Kind:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise RefusedFile("The selected PDF is password-protected: upload it without the password")
        len(reader.pages)  # reads the page tree: a file that only starts like a PDF fails here
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        if isinstance(error, RefusedFile):
            raise
        raise RefusedFile("The selected file is not a PDF that can be read") from error
    return Kind("application/pdf", "pdf")


def _office(data: bytes) -> Kind:
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        names = set(package.namelist())
        types = package.read("[Content_Types].xml").decode("utf-8", "replace") if "[Content_Types].xml" in names else ""
    except (zipfile.BadZipFile, KeyError) as error:
        raise RefusedFile(f"The selected file must be {ALLOWED}") from error
    if "macroEnabled" in types or any(name.lower().endswith("vbaproject.bin") for name in names):
        raise RefusedFile("Files with macros are not accepted: save it without macros, or as a PDF")
    for part, (main, content_type, extension) in OFFICE.items():
        if part in names and main in types:
            return Kind(content_type, extension)
    raise RefusedFile(f"The selected file must be {ALLOWED}")


def _image(data: bytes) -> Kind:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            kind = image.format
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise RefusedFile("The selected image cannot be read") from error
    if kind == "PNG":
        return Kind("image/png", "png")
    if kind == "JPEG":
        return Kind("image/jpeg", "jpg")
    raise RefusedFile(f"The selected file must be {ALLOWED}")


def safe_filename(uploaded: str, kind: Kind) -> str:
    """The uploaded name without folders (of any system), control or unusual characters, at most 100
    characters, ending in the extension its content calls for."""
    name = PureWindowsPath(PurePosixPath(uploaded or "").name).name
    name = unicodedata.normalize("NFKC", name)
    stem = re.sub(r"[^A-Za-z0-9 ._()-]+", "_", name.rsplit(".", 1)[0] if "." in name else name)
    stem = stem.strip(" ._") or "document"
    return f"{stem[:95]}.{kind.extension}"
