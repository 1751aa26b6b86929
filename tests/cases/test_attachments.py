"""Attachments: size, real type, safe names, stored under random names."""

import datetime as dt
import os
from pathlib import Path

import pytest

from revdesk.cases import services
from revdesk.cases.attachments import (
    AttachmentRefused,
    attachment_add,
    orphan_files_remove,
    safe_name,
)
from revdesk.cases.models import Attachment

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.REVDESK_ATTACHMENT_MAX_BYTES = 1024
    return tmp_path


@pytest.fixture
def case(world, teams, monday):
    return services.case_open(
        actor=world.users["collector"], case_type="ar_dispute", title="POD missing", now=monday
    )


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ann\\Desktop\\POD 42.pdf", "POD_42.pdf"),
        (".htaccess", "htaccess"),
        ("inv\x00oice\r\n.pdf", "invoice.pdf"),
        ("", "attachment"),
        ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
    ],
)
def test_names_are_made_safe(sent, kept):
    assert safe_name(sent) == kept


def test_a_pdf_is_kept_under_a_random_name_in_the_case_folder(case, world, media):
    attachment = attachment_add(
        case, name="../POD 42.pdf", data=PDF, actor=world.users["collector"]
    )
    assert (attachment.name, attachment.content_type, attachment.size) == (
        "POD_42.pdf",
        "application/pdf",
        len(PDF),
    )
    stored = Path(attachment.file.path)
    assert stored.parent == media / "cases" / str(case.pk)
    assert stored.name != "POD_42.pdf"
    assert stored.suffix == ".pdf"
    assert stored.read_bytes() == PDF
    assert case.events.get(kind="attachment").body == "POD_42.pdf"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("big.pdf", PDF + b" " * 2000, "attachments may be at most"),
        ("empty.txt", b"", "is empty"),
        ("setup.exe", EXE, "files of type .exe are not kept"),
        ("invoice.pdf", EXE, "is named .pdf but its content is"),
        ("photo.png", PDF, "is named .png but its content is application/pdf"),
        ("notes.txt", PNG, "is named .txt but its content is image/png"),
        ("data.csv", b"a,b\x00\x01", "is not a text file"),
        ("README", b"hello", "has no type at the end of its name"),
    ],
)
def test_refused_files_leave_nothing_behind(case, world, media, name, data, message):
    with pytest.raises(AttachmentRefused, match=message):
        attachment_add(case, name=name, data=data, actor=world.users["collector"])
    assert not Attachment.objects.exists()
    assert not (media / "cases").exists() or not any((media / "cases").rglob("*.*"))
    assert not case.events.filter(kind="attachment").exists()


def test_text_in_windows_1252_is_kept(case):
    attachment = attachment_add(case, name="remit.csv", data="Café;12,50\n".encode("cp1252"))
    assert attachment.content_type == "text/csv"


def test_orphan_files_are_swept(case, media):
    attachment_add(case, name="a.pdf", data=PDF)
    orphan = media / "cases" / str(case.pk) / "left-behind.pdf"
    orphan.write_bytes(PDF)
    old = (dt.datetime.now() - dt.timedelta(hours=2)).timestamp()
    os.utime(orphan, (old, old))
    assert orphan_files_remove() == 1
    assert not orphan.exists()
    assert Path(Attachment.objects.get().file.path).exists()
