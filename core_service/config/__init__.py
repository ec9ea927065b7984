"""ConfigService and configuration: `config.toml` layers, overrides, diagnostics, writes."""
