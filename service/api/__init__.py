"""The GraphQL schema: thin types over the use-cases in service/."""
