"""Settings of the web app, passed to the app factory (never created at import)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

SECRET_FILE = "web_secret.key"


@dataclass(frozen=True)
class WebSettings:
    """What the web app needs to run.

    Attributes
    ----------
    workspace : the workspace folder (its database and settings).
    secret_key : signs the session cookie; kept in the workspace, created on first use.
    https_only : session cookie only over HTTPS (set behind a TLS proxy).
    max_upload_bytes : largest file accepted by the import page and API.
    login_attempts, login_window_s : at most this many failed logins per user and address in the window.
    session_max_age_s : session lifetime.
    """

    workspace: Path
    secret_key: str
    https_only: bool = False
    max_upload_bytes: int = 20 * 1024 * 1024
    login_attempts: int = 5
    login_window_s: int = 300
    session_max_age_s: int = 8 * 3600

    def __post_init__(self) -> None:
        if len(self.secret_key) < 32:
            raise ValueError("会话密钥过短 / the session secret key must have at least 32 characters")


def workspace_secret(workspace: Path) -> str:
    """The workspace's session secret, created (mode 0600) on first use."""
    path = Path(workspace) / SECRET_FILE
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()
