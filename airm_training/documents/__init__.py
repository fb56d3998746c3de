"""PDF documents drawn with reportlab from plain data objects."""
