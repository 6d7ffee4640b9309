"""The ORUK service schema (see SOURCE.md); a package so installs ship its JSON."""
