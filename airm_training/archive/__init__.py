"""A person's personal archive: everything the system holds about them as one zip (a
versioned JSON with its schema, the hours CSV, the transcript, certificates and credentials,
case presentations, evaluations, quiz results and uploaded documents), built by the
``build-archives`` worker (or at once for a small record) and offered for a few days.

Sits above every feature it reads; nothing imports it."""
