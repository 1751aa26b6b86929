"""Helpers for the PDF documents (fpdf2 with its core fonts)."""


def pdf_text(text: str) -> str:
    """The core PDF fonts hold Latin-1 only: dashes and quotes become their plain forms,
    anything else outside Latin-1 is shown as '?'."""
    replaced = text.replace("\u2014", "-").replace("\u2013", "-").replace("\u2019", "'")
    return replaced.encode("latin-1", "replace").decode("latin-1")
