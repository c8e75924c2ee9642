"""The Batch API: a JSONL file of requests answered on the virtual clock within a 24-hour window."""
