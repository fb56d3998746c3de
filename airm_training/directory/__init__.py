"""The public directory of credentialed clinicians: each person opts in (off by default)
with a short bio and their modalities; the directory lists, from an explicit allow-list of
fields, only active people in good standing (``credentials.holders``), filterable by
credential and by licence jurisdiction, rate-limited and cacheable.

Sits above ``credentials``, ``people``, ``programme`` and ``privacy``; nothing imports it."""
