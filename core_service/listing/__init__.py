"""ListingService: feature flags, managed requirements, apps, feedback upload."""
