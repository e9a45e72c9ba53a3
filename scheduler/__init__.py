"""Conference agenda and scheduling engine: domain, loading, CP-SAT solver, checker, importers, exporters."""
