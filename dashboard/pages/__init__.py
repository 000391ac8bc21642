"""dashboard/pages package."""
