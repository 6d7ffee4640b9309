"""Notices: the outbox (graph/repo/notices.py) delivered by e-mail, reminders, preferences."""
