"""Migrations that only add indexes or derived data. They are applied to a copy of each
cached benchmark database on every run, so adding one (or changing it) rebuilds nothing;
this list lives apart from ``dataset.py`` because that file is part of the cache key."""

DERIVED_MIGRATIONS = (
    "0015_performance",
    "0026_hours_tally",
    "0027_standing_summary",
    "0028_signoff_backlog",
    "0029_holder_count",
    "0030_licence_verified_index",
    "0031_standing_gap",
    "0032_supervisee_index",
    "0033_person_name_index",
    "0034_progress_indexes",
    "0035_summary_holds_credential",
)
