"""Progression: the requirement engine, applications, endorsement, the board's votes,
issuing credentials and certificates, verification and revocation."""
