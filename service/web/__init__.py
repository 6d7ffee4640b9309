"""The web pages: static HTML, CSS and JavaScript modules that talk only to ``/graphql``."""
