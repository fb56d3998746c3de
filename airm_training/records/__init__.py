"""Records that travel: a board-ready verification of a person's supervised hours (PDF and
CSV, with a code anyone can check) and, in ``records.directory``, the public directory of
credentialed clinicians who opted in.

Sits above ``hours``, ``credentials``, ``access`` and ``people`` (it reads them); nothing
below imports it."""
