"""Signing in and out, two-factor sign-in, sessions, invitations and password resets,
and the password rules and hashing (``passwords.py``). Its e-mails leave through
``notifications.delivery``.

May import: ``core``, ``extensions``, ``audit``, ``notifications.delivery``, ``people``."""
