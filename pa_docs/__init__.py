"""pa-docs: prior-authorization documentation from payer criteria as data."""
