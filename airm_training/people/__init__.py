"""People: accounts, roles, licences, deactivation, primary supervisors, the directory
and a person's record page.

May import: ``core``, ``extensions``, ``audit``, ``notifications`` (link targets),
``access``, ``auth`` (invitations, passwords), ``credentials``, ``programme``, and
``progression`` (the standing shown on a person's page)."""
