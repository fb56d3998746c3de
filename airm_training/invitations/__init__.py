"""Bulk invitations: a director uploads a CSV of people, validated all or nothing with a
per-row report, and each invitation goes out through the outbox; the list shows invited,
accepted and expired invitations, with a rate-limited resend.

Sits above ``people``, ``auth`` and ``access``; nothing imports it."""
