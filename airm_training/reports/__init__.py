"""The director's reports (where people stand, what waits for whom, what expires) and
the audit trail's page.

May import any feature (it only reads them); nothing imports it but the app factory."""
