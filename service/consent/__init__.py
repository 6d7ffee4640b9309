"""Consent: grants a person gives, who may see what, the access log, my data, export, erasure."""
