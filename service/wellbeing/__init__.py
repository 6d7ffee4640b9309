"""Wellbeing: loneliness check-ins, how they feed back into need, and the alerts they raise."""
