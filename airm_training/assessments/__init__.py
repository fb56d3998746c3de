"""Assessments: module quizzes and their question bank, case presentations (their
workflow in ``workflow.py``) and competency evaluations, with the notices they send.

May import: ``core``, ``extensions``, ``audit``, ``notifications`` (to send), ``access``
(needs, supervision), ``people``, ``credentials``, ``programme``, ``curriculum``."""
