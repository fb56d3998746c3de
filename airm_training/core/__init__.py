"""Pieces shared by every feature: database base, clock, errors, permissions."""
