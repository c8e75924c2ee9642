"""The fine-tuning job, its events and checkpoints, as the API shapes them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .statuses import VALIDATING_FILES

Obj = dict[str, Any]

#: The organization the fake's jobs belong to (its name appears in fine-tuned model names).
ORGANIZATION_ID = "org-harness"
ORGANIZATION = "harness"


def job(job_id: str, created_at: int, body: Mapping[str, Any], model: str, seed: int) -> Obj:
    hyper = dict(body.get("hyperparameters") or {})
    filled = {key: hyper.get(key, "auto") for key in ("batch_size", "learning_rate_multiplier", "n_epochs")}
    method = body.get("method") or {"type": "supervised", "supervised": {"hyperparameters": filled}}
    return {
        "object": "fine_tuning.job",
        "id": job_id,
        "model": model,
        "created_at": created_at,
        "finished_at": None,
        "fine_tuned_model": None,
        "organization_id": ORGANIZATION_ID,
        "result_files": [],
        "status": VALIDATING_FILES,
        "validation_file": body.get("validation_file"),
        "training_file": body["training_file"],
        "hyperparameters": filled,
        "trained_tokens": None,
        "error": None,
        "integrations": body.get("integrations"),
        "seed": body.get("seed") if body.get("seed") is not None else seed,
        "estimated_finish": None,
        "method": method,
        "metadata": body.get("metadata"),
        "user_provided_suffix": body.get("suffix"),
    }


def event(event_id: str, created_at: int, message: str, level: str = "info", data: Obj | None = None) -> Obj:
    return {
        "object": "fine_tuning.job.event",
        "id": event_id,
        "created_at": created_at,
        "level": level,
        "message": message,
        "data": data or {},
        "type": "metrics" if data else "message",
    }


def checkpoint(checkpoint_id: str, created_at: int, job_id: str, model: str, step: int, metrics: Obj) -> Obj:
    return {
        "object": "fine_tuning.job.checkpoint",
        "id": checkpoint_id,
        "created_at": created_at,
        "fine_tuned_model_checkpoint": f"{model}:ckpt-step-{step}",
        "fine_tuning_job_id": job_id,
        "metrics": metrics,
        "step_number": step,
    }


def metrics(step: int, total: int) -> Obj:
    """Deterministic, falling training loss and rising accuracy over the run."""
    done = step / max(total, 1)
    return {
        "step": float(step),
        "train_loss": round(2.0 * (1.0 - 0.8 * done), 4),
        "train_mean_token_accuracy": round(0.5 + 0.45 * done, 4),
        "valid_loss": round(2.1 * (1.0 - 0.75 * done), 4),
        "valid_mean_token_accuracy": round(0.48 + 0.44 * done, 4),
    }
