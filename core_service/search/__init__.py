"""fuzzyFileSearch: the files under some roots ranked against a query."""
