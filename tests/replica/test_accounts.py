"""The accounts service: token grants, the auto-approving consent screen, its errors."""

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from ingestion.spotify_replica import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_REFRESH_TOKEN,
    DEMO_SCOPE,
    ReplicaServer,
)
from tests.replica.conftest import Api, fixture

REDIRECT = "http://127.0.0.1:8888/callback"


def _authorize(server: ReplicaServer, **params: str) -> requests.Response:
    query = {
        "client_id": DEMO_CLIENT_ID,
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "scope": DEMO_SCOPE,
        "state": "xyz",
        **params,
    }
    return requests.get(server.authorize_url, params=query, allow_redirects=False)


def _code(response: requests.Response) -> str:
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    assert query["state"] == ["xyz"]
    return query["code"][0]


def test_client_credentials_basic_or_form(api: Api) -> None:
    body = api.token(grant_type="client_credentials").json()
    real = fixture("auth/token_client_credentials_200.json")
    assert set(body) == set(real) and body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600 and body["access_token"].startswith("BQ")
    form = requests.post(
        api.server.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": DEMO_CLIENT_ID,
            "client_secret": DEMO_CLIENT_SECRET,
        },
    )
    assert form.status_code == 200
    assert form.json()["access_token"] != body["access_token"]  # random tokens


@pytest.mark.parametrize(
    ("auth", "form", "expected"),
    [
        (("nobody", "x"), {"grant_type": "client_credentials"}, "token_400_invalid_client.json"),
        (None, {"grant_type": "client_credentials"}, "token_400_invalid_client.json"),
        ((DEMO_CLIENT_ID, DEMO_CLIENT_SECRET), {}, "token_400_missing_grant_type.json"),
    ],
)
def test_token_errors_have_spotifys_flat_bodies(
    current: ReplicaServer, auth: tuple | None, form: dict, expected: str
) -> None:
    response = requests.post(current.token_url, data=form, auth=auth)
    assert response.status_code == 400
    assert response.json() == fixture(f"auth/{expected}")


def test_wrong_secret_and_unknown_grant(current: ReplicaServer) -> None:
    wrong = requests.post(
        current.token_url, data={"grant_type": "client_credentials"}, auth=(DEMO_CLIENT_ID, "x")
    )
    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_client")
    odd = requests.post(
        current.token_url,
        data={"grant_type": "password"},
        auth=(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
    )
    assert (odd.status_code, odd.json()["error"]) == (400, "unsupported_grant_type")


def test_refresh_token_grant(api: Api) -> None:
    body = api.token(grant_type="refresh_token", refresh_token=DEMO_REFRESH_TOKEN).json()
    # Like Spotify: a scope, and usually no new refresh token.
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert body["scope"] == DEMO_SCOPE
    bad = api.token(grant_type="refresh_token", refresh_token="AQnot-a-token")
    assert bad.status_code == 400
    assert bad.json() == {"error": "invalid_grant", "error_description": "Invalid refresh token"}


def test_authorization_code_flow_end_to_end(current: ReplicaServer) -> None:
    api = Api(current)
    code = _code(_authorize(current))
    body = api.token(grant_type="authorization_code", code=code, redirect_uri=REDIRECT).json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope", "refresh_token"}
    me = api.ok("me", body["access_token"])
    assert me["id"] == current.catalog.demo_user.id
    # The new refresh token works; the code does not work twice.
    refreshed = api.token(grant_type="refresh_token", refresh_token=body["refresh_token"])
    assert refreshed.status_code == 200
    again = api.token(grant_type="authorization_code", code=code, redirect_uri=REDIRECT)
    assert again.json()["error"] == "invalid_grant"


def test_authorization_code_needs_the_same_redirect_uri(current: ReplicaServer) -> None:
    code = _code(_authorize(current))
    response = Api(current).token(
        grant_type="authorization_code", code=code, redirect_uri="http://127.0.0.1:9/x"
    )
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "Invalid redirect URI",
    }


def test_pkce_code_exchange_without_a_secret(current: ReplicaServer) -> None:
    verifier = "v" * 64
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    code = _code(
        _authorize(
            current, code_challenge=challenge.rstrip(b"=").decode(), code_challenge_method="S256"
        )
    )
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": DEMO_CLIENT_ID,
        "code_verifier": verifier,
    }
    assert requests.post(current.token_url, data=form).status_code == 200


def test_consent_screen_errors(current: ReplicaServer) -> None:
    assert _authorize(current, client_id="nobody").status_code == 400
    assert (
        "error=unsupported_response_type"
        in _authorize(current, response_type="token").headers["Location"]
    )
    current.auto_approve = False  # the user clicks Cancel
    location = _authorize(current).headers["Location"]
    assert parse_qs(urlsplit(location).query) == {"error": ["access_denied"], "state": ["xyz"]}


def test_injected_token_endpoint_failure(current: ReplicaServer) -> None:
    current.inject_errors(status=503, count=1, endpoint="token")
    api = Api(current)
    assert api.token(grant_type="client_credentials").status_code == 503
    assert api.token(grant_type="client_credentials").status_code == 200
