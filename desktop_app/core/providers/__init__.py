"""Provider connectors: one module per provider, their declarative profiles and data adapters."""
