"""Reading CSV and Excel files as a stream of (row number, cells), with clear file errors."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from pathlib import Path

from revdesk.foundation.spreadsheet import cell_text

ENCODING_NAMES = {
    "cp1252": "Windows-1252, what Excel calls 'ANSI' or 'Western European (Windows)'",
    "latin_1": "ISO-8859-1 / latin-1",
    "iso8859_15": "ISO-8859-15 / latin-9",
    "utf_16": "UTF-16",
    "mac_roman": "Mac Roman",
}
SCAN_CHUNK = 1 << 20


class FileProblem(ValueError):
    """The file as a whole cannot be read; the message says why and how to fix it."""


def file_format(path: Path, name: str | None = None) -> str:
    name = name or path.name
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        return "xlsx"
    if suffix == ".xls":
        raise FileProblem(
            f"{name} is an old Excel 97-2003 .xls workbook. Open it in Excel and save it "
            "as .xlsx (Excel Workbook) or as CSV UTF-8."
        )
    with path.open("rb") as handle:
        if handle.read(4) == b"PK\x03\x04":
            return "xlsx"
    return "csv"


def utf8_problem(path: Path, name: str | None = None) -> str | None:
    """None if the whole file is UTF-8; otherwise a message naming the likely encoding."""
    name = name or path.name
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as handle:
        while chunk := handle.read(SCAN_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                position = offset + max(error.start, 0)
                handle.seek(0)
                line = handle.read(position).count(b"\n") + 1
                bad = handle.read(1)
                handle.seek(max(0, position - 4000))
                sample = handle.read(SCAN_CHUNK)
                return _encoding_message(name, line, bad, sample)
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return f"{name} ends in the middle of a character: the file looks truncated."
    return None


def _encoding_message(name: str, line: int, bad: bytes, sample: bytes) -> str:
    guess = guess_encoding(sample)
    looks = f"It looks like {guess} ({ENCODING_NAMES.get(guess, guess)}). " if guess else ""
    option = guess or "cp1252"
    return (
        f"{name} is not UTF-8: byte 0x{bad.hex().upper()} on line {line} is not valid "
        f"UTF-8. {looks}Import it again with the encoding {option} (the Encoding field on the "
        f"upload page, or --encoding {option} on the command line), or in Excel use File > "
        "Save As > 'CSV UTF-8 (Comma delimited)'."
    )


def guess_encoding(sample: bytes) -> str | None:
    """The most likely single-byte encoding of a non-UTF-8 sample (cp1252 when it fits)."""
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    guess = codecs.lookup(best.encoding).name.replace("-", "_") if best else None
    western = {"cp1252", "latin_1", "iso8859_1", "iso8859_15", "cp1250", "mac_roman", None}
    if guess in western:
        try:
            sample.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            return "latin_1"
    return guess


class _CountingReader(io.RawIOBase):
    """Counts bytes read, for a progress bar on a streamed file."""

    def __init__(self, raw):
        self.raw = raw
        self.done = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self.raw.readinto(buffer)
        self.done += count or 0
        return count

    def close(self) -> None:
        self.raw.close()
        super().close()


class CsvSource:
    def __init__(
        self, path: Path, *, encoding: str | None, delimiter: str | None, name: str | None = None
    ):
        self.path = path
        self.name = name or path.name
        self.encoding = encoding or "utf-8-sig"
        if encoding is None:
            problem = utf8_problem(path, self.name)
            if problem:
                raise FileProblem(problem)
        else:
            try:
                codecs.lookup(encoding)
            except LookupError as error:
                raise FileProblem(
                    f"Unknown encoding {encoding!r}. Use e.g. utf-8, cp1252 or latin-1."
                ) from error
        self.total = path.stat().st_size
        self._reader: _CountingReader | None = None
        self.delimiter = delimiter or self._sniff_delimiter()
        self.sheet = None

    def _sniff_delimiter(self) -> str:
        with self.path.open("r", encoding=self.encoding, errors="replace", newline="") as handle:
            first = handle.readline()
        counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","

    @property
    def done(self) -> int:
        return self._reader.done if self._reader else 0

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(row number, cells) for every row, the header first (row 1). Blank rows skipped."""
        self._reader = _CountingReader(self.path.open("rb"))
        buffered = io.BufferedReader(self._reader, buffer_size=SCAN_CHUNK)
        text = io.TextIOWrapper(buffered, encoding=self.encoding, newline="")
        try:
            for number, cells in enumerate(csv.reader(text, delimiter=self.delimiter), start=1):
                if not any(cell.strip() for cell in cells):
                    continue
                yield number, cells
        except UnicodeDecodeError as error:
            raise FileProblem(
                f"{self.name} could not be read as {self.encoding}: {error.reason}."
            ) from error
        except csv.Error as error:
            raise FileProblem(f"{self.name} is not a readable CSV file: {error}.") from error
        finally:
            text.close()


XLSX_MAX_MEMBERS = 10_000  # parts inside the zip; a real workbook has a few dozen
XLSX_EXPANSION = 20  # a workbook may unpack to this many times the upload limit


def xlsx_size_check(path: Path, name: str | None = None) -> None:
    """Refuse a workbook that is not a zip, or unpacks to far more than any real sheet would
    (a 'zip bomb'), before openpyxl opens it."""
    import zipfile

    name = name or path.name

    from django.conf import settings
    from django.template.defaultfilters import filesizeformat

    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise FileProblem(
            f"{name} could not be opened as an Excel .xlsx workbook ({error}). "
            "Save it from Excel as .xlsx or as CSV UTF-8."
        ) from error
    if len(members) > XLSX_MAX_MEMBERS:
        raise FileProblem(
            f"{name} holds {len(members):,} parts; an Excel workbook has far fewer (at "
            f"most {XLSX_MAX_MEMBERS:,}). Save it from Excel as .xlsx or as CSV UTF-8."
        )
    expanded = sum(member.file_size for member in members)
    limit = XLSX_EXPANSION * settings.REVDESK_IMPORT_MAX_BYTES
    if expanded > limit:
        raise FileProblem(
            f"{name} expands to {filesizeformat(expanded)}; the limit is "
            f"{filesizeformat(limit)}. Save it as CSV UTF-8 or split it into smaller files."
        )


class XlsxSource:
    """The rows of one sheet: the one named, else the one named after the kind of file, else
    the only one. `first_sheet`: take the first sheet when none is named after the kind (for a
    file with no --sheet option to choose one)."""

    def __init__(
        self,
        path: Path,
        *,
        sheet: str | None,
        kind: str,
        first_sheet: bool = False,
        name: str | None = None,
    ):
        from openpyxl import load_workbook

        self.path = path
        self.name = name = name or path.name
        xlsx_size_check(path, name)
        try:
            self.workbook = load_workbook(path, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a broken file
            raise FileProblem(
                f"{name} could not be opened as an Excel .xlsx workbook ({error}). "
                "Save it from Excel as .xlsx or as CSV UTF-8."
            ) from error
        names = self.workbook.sheetnames
        listed = ", ".join(f"'{name}'" for name in names)
        if sheet is not None:
            if sheet not in names:
                raise FileProblem(
                    f"{name} has no sheet '{sheet}'. Its sheets are: {listed}. "
                    "Pass --sheet with one of them."
                )
            chosen = sheet
        elif kind in names:
            chosen = kind
        elif len(names) == 1 or first_sheet:
            chosen = names[0]
        else:
            raise FileProblem(
                f"{name} has several sheets ({listed}) and none is named '{kind}'. "
                f"Rename the data sheet to '{kind}' or pass --sheet NAME."
            )
        self.sheet = chosen
        self.worksheet = self.workbook[chosen]
        self.total = self.worksheet.max_row or 0
        self.done = 0
        self.encoding = None
        self.delimiter = None

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        try:
            for number, values in enumerate(self.worksheet.iter_rows(values_only=True), start=1):
                self.done = number
                cells = [cell_text(value).strip() for value in values]
                if not any(cells):
                    continue
                yield number, cells
        except Exception as error:
            raise FileProblem(f"{self.name} could not be read: {error}.") from error

    def close(self) -> None:
        self.workbook.close()


def source_open(
    path: Path,
    *,
    kind: str,
    encoding: str | None,
    delimiter: str | None,
    sheet: str | None,
    first_sheet: bool = False,
    name: str | None = None,
) -> CsvSource | XlsxSource:
    """The file as rows, whichever it is: a CSV (UTF-8 unless `encoding` says otherwise, the
    delimiter sniffed from the header) or an .xlsx workbook (checked against zip bombs).
    Raises FileProblem, saying what is wrong and how to fix it, for a file that cannot be
    read at all. `name` is the file's name in messages (an upload's, not its temporary one)."""
    if not path.exists():
        raise FileProblem(f"{path} does not exist.")
    if path.stat().st_size == 0:
        name = name or path.name
        raise FileProblem(f"{name} is empty: it has no header row and no data.")
    if file_format(path, name) == "xlsx":
        return XlsxSource(path, sheet=sheet, kind=kind, first_sheet=first_sheet, name=name)
    return CsvSource(path, encoding=encoding, delimiter=delimiter, name=name)
