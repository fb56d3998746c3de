"""Machine-verifiable credentials: Open Badges 3.0, status lists, signed PDFs."""
