"""The replica's account error modes answer Spotify's captured 403 bodies."""

from tests.replica.conftest import Api, fixture


def test_premium_lapsed_answers_every_api_request_with_the_captured_body(current):
    api = Api(current)
    current.set_account(owner_premium=False)
    for token in (api.app_token(), api.user_token()):
        response = api.get(f"playlists/{current.user_playlist_ids[0]}", token)
        assert response.status_code == 403
        assert response.json() == fixture("errors/403_premium_required_owner.json")
    assert api.token(grant_type="client_credentials").status_code == 200  # tokens still work


def test_unregistered_user_answers_user_token_requests_with_the_captured_body(current):
    api = Api(current)
    current.set_account(user_registered=False)
    response = api.get("me", api.user_token())
    assert response.status_code == 403
    assert response.json() == fixture("errors/403_user_not_registered.json")
    # An app token (no user) is not affected.
    assert api.get(f"playlists/{current.user_playlist_ids[0]}", api.app_token()).status_code == 200


def test_missing_scope_is_granted_as_asked_and_refused_where_needed(current):
    api = Api(current)
    current.set_account(scope="playlist-read-collaborative")
    granted = api.token(grant_type="refresh_token", refresh_token=fixture_refresh()).json()
    assert granted["scope"] == "playlist-read-collaborative"
    token = granted["access_token"]
    response = api.get("me/playlists", token)
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Insufficient client scope"


def fixture_refresh() -> str:
    from ingestion.spotify_replica import DEMO_REFRESH_TOKEN

    return DEMO_REFRESH_TOKEN
