"""What every domain's GraphQL shares: errors and masking, paging, data loaders, SDL export."""
