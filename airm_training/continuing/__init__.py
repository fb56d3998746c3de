"""Continuing education: a person records a course (provider, title, approval number,
date, credits in whole minutes, subject area from the programme file) with its certificate
as a supporting document; it counts toward renewal once a director verifies it, with no
supervisor's signature. A director audits a random sample of a renewal cycle's records."""
