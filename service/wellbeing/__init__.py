"""Loneliness check-ins and how they feed back into need, alerts and relationships."""
