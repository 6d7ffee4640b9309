"""Support plans: scoring, the GraphQL journeys over HTTP, the caseload, the demo plans."""
