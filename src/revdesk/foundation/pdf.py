"""Helpers for the PDF documents (fpdf2 with its core fonts)."""


def pdf_text(text: str) -> str:
    """The core PDF fonts hold Latin-1 only: dashes and quotes become their plain forms,
    anything else outside Latin-1 is shown as '?'."""
    replaced = text.replace("\u2014", "-").replace("\u2013", "-").replace("\u2019", "'")
    return replaced.encode("latin-1", "replace").decode("latin-1")


class PdfPage:
    """An A4 document of the house (fpdf2, core fonts): title and author set, page breaks,
    margins, a first page; `say` writes a paragraph the width of the page."""

    def __init__(self, *, title: str, author: str, orientation: str = "portrait"):
        from fpdf import FPDF

        self.pdf = FPDF(orientation=orientation, unit="mm", format="A4")
        self.pdf.set_title(pdf_text(title))
        self.pdf.set_author(pdf_text(author))
        self.pdf.set_creator("Revdesk")
        self.pdf.set_auto_page_break(auto=True, margin=15)
        self.pdf.set_margins(12, 12, 12)
        self.pdf.add_page()
        self.width = self.pdf.epw

    def say(self, text: str, *, size: float = 9, style: str = "", height: float = 5) -> None:
        self.pdf.set_font("Helvetica", style=style, size=size)
        self.pdf.multi_cell(self.width, height, pdf_text(text), new_x="LMARGIN", new_y="NEXT")

    def bytes(self) -> bytes:
        return bytes(self.pdf.output())
