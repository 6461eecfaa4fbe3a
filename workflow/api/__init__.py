"""The REST API at /api/v1/ (issue 16): reads through the selectors, writes through the services
the pages call, with the pages' object permissions."""
