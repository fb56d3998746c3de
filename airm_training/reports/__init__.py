"""The director's reports: where people stand, what waits for whom, what expires."""
