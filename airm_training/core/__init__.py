"""Mechanism shared by every feature, and nothing of any feature: the declarative base
and SQLite settings (``db``), the unit of work (``work``), the permission gate
(``permissions``), domain errors, the clock, form bases and input guards, security
headers, absolute URLs, and the backup format.

May import only ``extensions`` (and libraries); ``tests/test_layers.py`` checks it."""
