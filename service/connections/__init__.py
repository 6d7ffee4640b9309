"""Link workers' connections: local services, suggestions with their reasons, referrals."""
