"""Fine-tuning jobs: a training file checked, then validating_files, queued, running (with metrics
events and checkpoints on the clock) and succeeded, failed or cancelled; pause and resume."""
