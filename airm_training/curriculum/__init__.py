"""The curriculum: modules (content, prerequisites, editing) and who completed them.

May import: ``core``, ``extensions``, ``audit``, ``access``, ``people``, ``credentials``,
``programme``."""
