"""Progression: the requirement engine, applications (their workflow in ``workflow.py``),
endorsement, the board's votes, issuing, renewing and revoking credentials and
certificates, moving an enrolment to another version, verification, and the plain data
of every PDF (``documents.py``).

May import every feature below it (``hours``, ``assessments``, ``curriculum``,
``credentials``, ``programme``, ``people``), ``access``, ``documents``, and the floors
``notifications``, ``audit``, ``core``, ``extensions``."""
