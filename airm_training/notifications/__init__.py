"""Notifications: in the app (the bell), by e-mail for those who want it, and reminders."""
