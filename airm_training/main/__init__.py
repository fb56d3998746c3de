"""Landing pages for each role, the director's overview, and the health check.

May import any feature (it only reads them); nothing imports it but the app factory."""
