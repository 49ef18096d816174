"""One module per criterion kind; each exposes ``evaluate(rule, ctx) -> Result``."""
