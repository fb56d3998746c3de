"""People, their roles and their professional licences."""
