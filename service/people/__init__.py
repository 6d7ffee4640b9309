"""People and volunteers: the records coordinators keep, and a person's record read by consent."""
