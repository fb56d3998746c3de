"""Enrolments and credential awards: who holds which level, from when to when
(``current_award_clause``), enrolling and awarding. Who supervises is answered above it,
by ``access.supervision``.

May import: ``core``, ``extensions``, ``audit``, ``people``, ``programme``."""
