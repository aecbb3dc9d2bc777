"""One ``Protocol`` per core service, and ``core_services`` with their refs."""
