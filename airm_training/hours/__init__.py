"""Hours: candidates log training and supervised hours (by hand or CSV), supervisors sign
or return them; the rules (``rules.py``), the entry's workflow (``workflow.py``) and the
notices it sends (``notices.py``).

May import: ``core``, ``extensions``, ``audit``, ``notifications`` (to send), ``access``
(needs, supervision), ``people``, ``programme``."""
