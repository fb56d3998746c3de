"""Signature images of the people who sign certificates: directors and the board."""
