"""Helpers for the PDF documents: fpdf2 with DejaVu Sans Condensed embedded (foundation/fonts,
its licence beside it), so names and texts print in any Latin, Greek or Cyrillic script as
written, not as '?'."""

from importlib import resources

#: the family every document of the house writes in ("" regular, "B" bold)
FONT = "DejaVu"
_FILES = {"": "DejaVuSansCondensed.ttf", "B": "DejaVuSansCondensed-Bold.ttf"}


def pdf_text(text: str) -> str:
    """Text as the document writes it: unchanged but for characters the font has no shape
    for (CJK, emoji...), shown as '?' rather than left out."""
    return "".join(char if _has_glyph(char) else "?" for char in text)


_glyphs: set[int] | None = None


def _has_glyph(char: str) -> bool:
    global _glyphs
    if char.isascii():
        return True
    if _glyphs is None:
        from fontTools.ttLib import TTFont

        with resources.as_file(_font_path("")) as path:
            _glyphs = set(TTFont(path).getBestCmap())
    return ord(char) in _glyphs or char in "\n\t"


def _font_path(style: str):
    return resources.files("revdesk.foundation").joinpath("fonts", _FILES[style])


def pdf_document(*, orientation: str = "portrait"):
    """An A4 fpdf2 document in mm with the house font registered."""
    from fpdf import FPDF

    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    for style in _FILES:
        with resources.as_file(_font_path(style)) as path:
            pdf.add_font(FONT, style=style, fname=str(path))
    return pdf


class PdfPage:
    """An A4 document of the house: title and author set, page breaks, margins, a first page;
    `say` writes a paragraph the width of the page."""

    def __init__(self, *, title: str, author: str, orientation: str = "portrait"):
        self.pdf = pdf_document(orientation=orientation)
        self.pdf.set_title(pdf_text(title))
        self.pdf.set_author(pdf_text(author))
        self.pdf.set_creator("Revdesk")
        self.pdf.set_auto_page_break(auto=True, margin=15)
        self.pdf.set_margins(12, 12, 12)
        self.pdf.add_page()
        self.width = self.pdf.epw

    def say(self, text: str, *, size: float = 9, style: str = "", height: float = 5) -> None:
        self.pdf.set_font(FONT, style=style, size=size)
        self.pdf.multi_cell(self.width, height, pdf_text(text), new_x="LMARGIN", new_y="NEXT")

    def bytes(self) -> bytes:
        return bytes(self.pdf.output())
