"""A volunteer's visits: what is open to them, claim, accept, decline, log, their week, calendar."""
