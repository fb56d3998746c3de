"""Notifications: in the app (the bell) and by e-mail for those who want it.

A floor that features call down into: ``services.send(kind, recipients, text, link)``
writes the notifications and hands their e-mail to ``delivery``, the one place where
e-mail leaves the application (after the commit). Each feature owns its notices (their
recipients and texts, e.g. ``hours/notices.py``) and registers where its notifications
lead (``links.register_target``, beside its routes).

May import: ``core``, ``extensions`` and ``audit``; never a feature (``tests/test_layers.py``
checks it). Recipients are person ids; their name, address and whether they are active are
read through ``Notification.person``, a relationship named, not imported."""
