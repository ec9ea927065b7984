"""SessionService: `initialize` (the `Connect` stream is the servicer's)."""
