"""etl/sources package."""
