"""Edge order gateway: an edge node and a central order store for a live-commerce storefront."""
