"""ModelService and the model client: Responses API over SSE, the catalog."""
