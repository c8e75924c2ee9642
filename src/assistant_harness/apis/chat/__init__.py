"""Chat completions (``POST /chat/completions``): replies, tool calls, JSON that fits a schema, streams."""
