"""The programme definition: credential levels, requirements, modules, hours categories
and the taxonomy (``services.taxonomy``), loading the programme file, versions, editing a
level into a new version and comparing versions.

May import: ``core``, ``extensions``, ``audit``, ``access``, ``people``, ``credentials``,
``assessments`` (the quiz bank a module names), and ``progression`` (the standing shown
when moving a person between versions)."""
