"""Who may do what: the named needs that views declare (checked by ``core.permissions``'
gate), the object rules beside them, and the one read model of supervision (who holds a
current AIRT-S, on which dates) that the gate, the services and the queries all use.

Sits above ``credentials``, ``programme`` and ``people`` (it reads awards, levels and
roles); may import those, ``core`` and ``extensions``, never a feature that uses it."""
