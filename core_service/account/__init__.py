"""AccountService: credentials, auth.json, rate limits."""
