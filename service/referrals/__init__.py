"""Referrals as the organisation offering a service sees them: its inbox, accepting within the
weekly places it sets, declining with a reason, reporting attendance (``partners``)."""
