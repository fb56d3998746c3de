"""The append-only, hash-chained audit trail: the event model, ``record_event`` (which
every feature calls in its own transaction), checking the chain, and the queries that
read it. A floor: the directors' page that browses it is in ``reports/audit_trail.py``.

May import: ``core`` and ``extensions`` only (``tests/test_layers.py`` checks it)."""
