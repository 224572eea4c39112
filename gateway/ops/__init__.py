"""Operations: metrics, budgets' bookkeeping, dashboard."""
