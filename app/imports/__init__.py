"""Order files in (CSV/XLSX presets and column mappings) -> domain objects."""
