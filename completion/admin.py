from completion import certificate_admin  # noqa: F401  (registers the certificate admin)
