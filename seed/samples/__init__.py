"""Sample files (Open Referral UK services of the fictional Vale borough); a package so installs
ship its JSON."""
