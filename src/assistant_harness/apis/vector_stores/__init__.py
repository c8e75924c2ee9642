"""Vector stores, their files (processed on the virtual clock) and file batches: shared by the
Assistants and Responses APIs' file search."""
