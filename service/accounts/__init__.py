"""Accounts: users, passwords and signed tokens, sign-in, who a request is signed in as."""
