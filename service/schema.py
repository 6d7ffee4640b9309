"""The GraphQL schema, assembled from the domains' queries and mutations.

Each domain (``service/<domain>/graphql.py``) declares its types, its ``Query`` and ``Mutation``
fields and the checks each field makes; this module merges them and adds the limits and error
handling every request goes through. ``python -m service.api.export`` writes the schema as SDL.
"""

from __future__ import annotations

from functools import cache

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from service.accounts.graphql import AccountsMutation, AccountsQuery
from service.api.errors import (
    CountQueries,
    LogPersonReads,
    MaskUnexpectedErrors,
    NameEnumValues,
)
from service.api.limits import OneSignIn, query_cost_rule
from service.config import (
    QUERY_ALIASES_MAX,
    QUERY_COST_MAX_DEFAULT,
    QUERY_DEPTH_MAX,
    QUERY_TOKENS_MAX,
)
from service.connections.graphql import ConnectionsMutation, ConnectionsQuery
from service.consent.graphql import ConsentMutation, ConsentQuery
from service.notices.graphql import NoticesMutation, NoticesQuery
from service.people.graphql import PeopleMutation, PeopleQuery
from service.plans.graphql import PlansMutation, PlansQuery
from service.referrals.graphql import ReferralsMutation, ReferralsQuery
from service.rota.graphql import RepairMutation, RepairQuery, RotaMutation, RotaQuery
from service.visits.graphql import VisitsMutation, VisitsQuery
from service.wellbeing.graphql import WellbeingMutation, WellbeingQuery
from service.whatif.graphql import WhatIfMutation, WhatIfQuery

Query = merge_types(
    "Query",
    (
        AccountsQuery,
        PeopleQuery,
        VisitsQuery,
        RotaQuery,
        RepairQuery,
        WellbeingQuery,
        ConnectionsQuery,
        ConsentQuery,
        NoticesQuery,
        PlansQuery,
        ReferralsQuery,
        WhatIfQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        AccountsMutation,
        PeopleMutation,
        VisitsMutation,
        RotaMutation,
        RepairMutation,
        WellbeingMutation,
        ConnectionsMutation,
        ConsentMutation,
        NoticesMutation,
        PlansMutation,
        ReferralsMutation,
        WhatIfMutation,
    ),
)

# The depth and alias rules are built once: their validator classes are then the same for every
# request, which lets ValidationCache reuse the validation of a query text it has seen.
_LIMIT_RULES = [
    *QueryDepthLimiter(max_depth=QUERY_DEPTH_MAX).validation_rules,
    *MaxAliasesLimiter(max_alias_count=QUERY_ALIASES_MAX).validation_rules,
    OneSignIn,
]


def _query_limits(cost_max: int) -> type[AddValidationRules]:
    rules = [*_LIMIT_RULES, query_cost_rule(cost_max)]

    class QueryLimits(AddValidationRules):
        """Query depth, alias and cost limits and one signIn per request (Strawberry's
        QueryDepthLimiter and MaxAliasesLimiter, and service/api/limits.py)."""

        def __init__(self) -> None:
            super().__init__(rules)

    return QueryLimits


class CareCirclesSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Expected errors are the client's business; unexpected ones were logged with their
        request id by ``MaskUnexpectedErrors`` already."""


def build_schema(*, explorer: bool, cost_max: int = QUERY_COST_MAX_DEFAULT) -> CareCirclesSchema:
    """The schema with its limits and error handling. Without ``explorer`` (production, the
    default for ``serve``) introspection is refused and errors suggest no field names, so the
    schema is not readable from outside (service/schema.graphql is published instead)."""
    return CareCirclesSchema(
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(disable_field_suggestions=not explorer),
        extensions=[
            *([] if explorer else [DisableIntrospection]),
            _query_limits(cost_max),
            lambda: MaxTokensLimiter(max_token_count=QUERY_TOKENS_MAX),
            lambda: ParserCache(maxsize=512),
            lambda: ValidationCache(maxsize=512),
            MaskUnexpectedErrors,
            NameEnumValues,
            # Before LogPersonReads: its end runs after (ends run in reverse), so the count
            # includes the access-log write.
            CountQueries,
            LogPersonReads,
        ],
    )


# With introspection: the SDL export (service/api/export.py) and anything that reads the types.
schema = build_schema(explorer=True)


@cache
def served_schema(*, explorer: bool, cost_max: int) -> CareCirclesSchema:
    """The schema an app serves for these settings (built once per process)."""
    if explorer and cost_max == QUERY_COST_MAX_DEFAULT:
        return schema
    return build_schema(explorer=explorer, cost_max=cost_max)
