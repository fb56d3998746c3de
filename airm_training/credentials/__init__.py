"""Enrolments and credential awards (who holds which level, from when to when)."""
