"""``HarnessServer``: the control API of a running ``serve``, from Python."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from ..errors import HarnessError


class ControlRequestError(HarnessError):
    """The server refused a control request (its status and reason are in the message)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class HarnessServer:
    """A running ``assistant-harness serve`` at ``url`` (``http://host:port``, with or without ``/v1``).

    ``token`` is its ``--control-token`` if it has one (default: ``$ASSISTANT_HARNESS_CONTROL_TOKEN``, as
    ``serve`` reads it). Each verb names the namespace it acts on
    (the ``X-Harness-Namespace`` value or the API key a client sends).
    """

    def __init__(self, url: str, token: str | None = None, *, timeout: float = 30.0) -> None:
        root = url.rstrip("/")
        self.root = root[: -len("/v1")] if root.endswith("/v1") else root
        #: The OpenAI base URL clients use (``.../v1``).
        self.url = self.root + "/v1"
        token = token or os.environ.get("ASSISTANT_HARNESS_CONTROL_TOKEN") or None
        headers = {"x-harness-token": token} if token else {}
        self._http = httpx.Client(base_url=self.root + "/__harness", headers=headers, timeout=timeout)

    def __repr__(self) -> str:  # never the token
        return f"HarnessServer({self.root!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HarnessServer:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def health(self) -> dict[str, Any]:
        return self._call("GET", "/health")

    def load_scenario(self, namespace: str, scenario: str | Path | dict[str, Any]) -> dict[str, Any]:
        """Give ``namespace`` a fresh world on ``scenario``: a shipped scenario's name, a ``.yaml``
        path, YAML text (with a newline), or a scenario as a dict."""
        where = _ns(namespace) + "/scenario"
        if isinstance(scenario, dict):
            return self._call("PUT", where, json={"scenario": scenario})
        if isinstance(scenario, Path) or str(scenario).endswith((".yaml", ".yml")):
            text = Path(scenario).read_text(encoding="utf-8")
        elif "\n" in scenario or ":" in scenario:
            text = scenario
        else:
            return self._call("PUT", where, json={"name": scenario})
        return self._call("PUT", where, content=text.encode(), headers={"content-type": "application/yaml"})

    def advance(self, namespace: str, seconds: float) -> dict[str, Any]:
        """Move ``namespace``'s virtual clock ``seconds`` forward."""
        return self._call("POST", _ns(namespace) + "/clock", json={"advance": seconds})

    def advance_to(self, namespace: str, when: float) -> dict[str, Any]:
        """Move ``namespace``'s virtual clock to the virtual Unix time ``when``."""
        return self._call("POST", _ns(namespace) + "/clock", json={"to": when})

    def requests(self, namespace: str) -> list[dict[str, Any]]:
        """The requests ``namespace`` received, oldest first, secrets redacted."""
        return list(self._call("GET", _ns(namespace) + "/requests")["requests"])

    def objects(self, namespace: str) -> dict[str, list[dict[str, Any]]]:
        """Runs', responses', batches' and fine-tuning jobs' status histories in ``namespace``."""
        answer = self._call("GET", _ns(namespace) + "/objects")
        return {kind: answer[kind] for kind in ("runs", "responses", "batches", "fine_tuning_jobs")}

    def reset(self, namespace: str) -> bool:
        """Forget ``namespace``'s world; whether it had one."""
        return bool(self._call("DELETE", _ns(namespace))["reset"])

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        answer = self._http.request(method, path, **kwargs)
        try:
            body = answer.json()
        except ValueError:
            body = {"error": {"message": answer.text[:200]}}
        if answer.status_code >= 400:
            message = body.get("error", {}).get("message", answer.text[:200])
            raise ControlRequestError(
                f"{method} /__harness{path}: {answer.status_code}: {message}", answer.status_code
            )
        return dict(body)


def _ns(namespace: str) -> str:
    return "/namespaces/" + quote(namespace, safe="")
