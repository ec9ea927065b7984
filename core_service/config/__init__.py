"""ConfigService and configuration: `config.toml` layers, overrides, diagnostics, writes.

Modules, leaves first: `tables` (key paths, merging, versions), `scan`
(value positions in the text), `errors`, `diagnostics` (why a file was
rejected, file:line:column), `schema` (Config and the checks of config.toml
keys), `load` (file plus overrides into a Config), `overrides` (-c,
--enable/--disable, per-thread overrides), `write` (config/read, writes),
`source` (the current configuration, reloaded after writes), `api`.
"""
