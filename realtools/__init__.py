"""Real tools for the real-runtime test tiers: built or installed once, cached outside the repository."""
