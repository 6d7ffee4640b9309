"""The roles a user signs in with, as GraphQL knows them."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum
class Role(Enum):
    coordinator = "coordinator"
    link_worker = "link_worker"
    volunteer = "volunteer"
    person = "person"
    admin = "admin"
    partner = "partner"
