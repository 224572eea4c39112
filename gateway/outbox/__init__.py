"""The edge's durable order queue and the forwarder that drains it to the central store."""
