"""Embeddings (``POST /embeddings``): deterministic unit vectors of the model's dimension."""
