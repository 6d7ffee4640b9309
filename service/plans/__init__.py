"""Support plans: a person's goals with their link worker, reviews that measure change, and the
link worker's caseload."""
