"""Signing in and out, invitations and password resets."""
