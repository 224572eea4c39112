"""The edge's caches, layered over aiocache."""
