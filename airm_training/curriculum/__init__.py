"""Modules of the curriculum and who has completed them."""
