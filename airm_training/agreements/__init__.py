"""Supervision agreements: a candidate and a supervisor sign the terms under which
supervision happens, a director approves them, and a programme rule can count consultation
hours only inside an approved agreement with that supervisor."""
