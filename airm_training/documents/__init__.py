"""PDF documents drawn with reportlab (``base.PdfDocument`` and one subclass per
document), each fed a plain dataclass; ``progression/documents.py`` builds that data.

May import: libraries and its own modules only, never the database or a feature."""
