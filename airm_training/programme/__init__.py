"""The programme definition: credential levels, requirements, modules, hours categories."""
