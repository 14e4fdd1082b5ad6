from tests.conftest import login


def test_testing_config(app):
    assert app.testing
    assert app.config["ENV_NAME"] == "testing"


def test_owner_logs_in_and_reaches_today(client, world):
    response = login(client, world.owner_a)
    assert response is client
    page = client.get("/store/today")
    assert page.status_code == 200


def test_owner_cannot_open_hq(owner_client):
    assert owner_client.get("/hq/stores").status_code == 403
