"""The GraphQL schema, assembled from the domains' queries and mutations.

Each domain (``service/<domain>/graphql.py``) declares its types, its ``Query`` and ``Mutation``
fields and the checks each field makes; this module merges them and adds the limits and error
handling every request goes through. ``python -m service.api.export`` writes the schema as SDL.
"""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from service.accounts.graphql import AccountsMutation, AccountsQuery
from service.api.errors import (
    CountQueries,
    LogPersonReads,
    MaskUnexpectedErrors,
    NameEnumValues,
)
from service.config import QUERY_ALIASES_MAX, QUERY_DEPTH_MAX, QUERY_TOKENS_MAX
from service.connections.graphql import ConnectionsMutation, ConnectionsQuery
from service.consent.graphql import ConsentMutation, ConsentQuery
from service.notices.graphql import NoticesMutation, NoticesQuery
from service.people.graphql import PeopleMutation, PeopleQuery
from service.referrals.graphql import ReferralsMutation, ReferralsQuery
from service.rota.graphql import RepairMutation, RepairQuery, RotaMutation, RotaQuery
from service.visits.graphql import VisitsMutation, VisitsQuery
from service.wellbeing.graphql import WellbeingMutation, WellbeingQuery

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
        ReferralsQuery,
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
        ReferralsMutation,
    ),
)

# The depth and alias rules are built once: their validator classes are then the same for every
# request, which lets ValidationCache reuse the validation of a query text it has seen.
_LIMIT_RULES = [
    *QueryDepthLimiter(max_depth=QUERY_DEPTH_MAX).validation_rules,
    *MaxAliasesLimiter(max_alias_count=QUERY_ALIASES_MAX).validation_rules,
]


class QueryLimits(AddValidationRules):
    """Query depth and alias limits (Strawberry's QueryDepthLimiter and MaxAliasesLimiter)."""

    def __init__(self) -> None:
        super().__init__(_LIMIT_RULES)


class CareCirclesSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Expected errors are the client's business; unexpected ones were logged with their
        request id by ``MaskUnexpectedErrors`` already."""


schema = CareCirclesSchema(
    query=Query,
    mutation=Mutation,
    extensions=[
        QueryLimits,
        lambda: MaxTokensLimiter(max_token_count=QUERY_TOKENS_MAX),
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
        MaskUnexpectedErrors,
        NameEnumValues,
        LogPersonReads,
        CountQueries,
    ],
)
