"""Admin for certificates and bulk print jobs."""
