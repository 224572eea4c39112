"""The central store: catalog, address books and coupons (source of truth), order ingest."""
