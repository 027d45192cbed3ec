"""Users, roles, passwords and tokens."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.auth.models import ApiToken, User


def test_should_exchange_a_correct_password_for_a_working_token(client, make_user):
    make_user("enum7", "enumerator", password="mật-khẩu-dài")
    response = client.post(
        "/api/v1/auth/tokens", json={"username": "enum7", "password": "mật-khẩu-dài", "label": "A52"}
    )
    assert response.status_code == 201
    token = response.get_json()["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json()["username"] == "enum7"


@pytest.mark.parametrize(("username", "password"), [("enum7", "wrong-password"), ("nobody", "whatever1")])
def test_should_refuse_a_wrong_username_or_password_alike(client, make_user, username, password):
    make_user("enum7", "enumerator", password="right-password")
    response = client.post("/api/v1/auth/tokens", json={"username": username, "password": password})
    assert response.status_code == 401 and response.get_json()["code"] == "invalid_credentials"


def test_should_store_passwords_with_a_kdf_and_tokens_only_as_hashes(client, db, make_user):
    user, headers = make_user("sup", "supervisor", password="correct horse")
    secret = headers["Authorization"].split()[1]
    stored = db.session.scalar(select(User).where(User.username == "sup"))
    assert stored.password_hash.startswith("scrypt:") and "correct horse" not in stored.password_hash
    hashes = list(db.session.scalars(select(ApiToken.token_hash)))
    assert secret not in hashes and len(hashes) == 1 and len(hashes[0]) == 64


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer pst_not-a-real-token"}, {"Authorization": "Basic YWRtaW46YWRtaW4="}],
)
def test_should_answer_401_without_a_valid_token(client, db, headers):
    response = client.get("/api/v1/agencies", headers=headers)
    assert response.status_code == 401 and response.get_json()["code"] == "unauthenticated"


def test_a_revoked_token_should_stop_working(client, make_user):
    _, headers = make_user("enum8", "enumerator")
    assert client.delete("/api/v1/auth/tokens/current", headers=headers).status_code == 204
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401 and response.get_json()["code"] == "unauthenticated"


def test_should_answer_403_to_the_wrong_role(client, enumerator, reviewer, supervisor):
    for headers in (enumerator, reviewer, supervisor):
        response = client.get("/api/v1/users", headers=headers)
        assert response.status_code == 403 and response.get_json()["code"] == "forbidden"
    response = client.post(
        "/api/v1/agencies", json={"code": "X", "name": "X", "group": "department"}, headers=enumerator
    )
    assert response.status_code == 403


def test_an_admin_should_create_users_with_roles_and_reviewer_organisations(client, admin):
    created = client.post(
        "/api/v1/users",
        json={"username": "ccb2", "role": "reviewer", "organisation": "CCB", "full_name": "Hoàng Văn Bình"},
        headers=admin,
    )
    assert created.status_code == 201 and created.get_json()["organisation"] == "CCB"
    no_org = client.post("/api/v1/users", json={"username": "rv", "role": "reviewer"}, headers=admin)
    assert no_org.status_code == 422 and "organisation" in no_org.get_json()["errors"]
    twice = client.post("/api/v1/users", json={"username": "ccb2", "role": "enumerator"}, headers=admin)
    assert twice.status_code == 409 and twice.get_json()["code"] == "already_exists"


def test_an_admin_should_issue_a_token_for_a_device(client, admin, make_user):
    make_user("enum9", "enumerator")
    issued = client.post("/api/v1/users/enum9/tokens", json={"label": "tablet 3"}, headers=admin)
    assert issued.status_code == 201
    headers = {"Authorization": f"Bearer {issued.get_json()['token']}"}
    assert client.get("/api/v1/me", headers=headers).get_json()["role"] == "enumerator"


def test_every_api_endpoint_should_declare_the_roles_it_admits(app):
    open_endpoints = {
        "auth.login",
        "auth.start_session",
        "auth.redeem_enrolment",
        "auth.first_admin",
        "api-docs.openapi_json",
    }
    undeclared = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.endpoint in open_endpoints:
            continue
        view = app.view_functions[rule.endpoint]
        view_class = getattr(view, "view_class", None)
        handlers = (
            [getattr(view_class, m.lower()) for m in rule.methods if hasattr(view_class, m.lower())]
            if view_class
            else [view]
        )
        for handler in handlers:
            if not getattr(handler, "_parsurvey_roles", None):
                undeclared.append(f"{rule.rule} {handler.__name__}")
    assert undeclared == []


def test_a_deactivated_user_should_lose_sign_in_and_tokens_and_may_come_back(client, admin, make_user):
    _, headers = make_user("enum_gone", "enumerator", password="mật-khẩu-cũ")
    credentials = {"username": "enum_gone", "password": "mật-khẩu-cũ"}
    assert client.post("/api/v1/users/enum_gone/deactivate", headers=headers).status_code == 403
    answer = client.post("/api/v1/users/enum_gone/deactivate", headers=admin)
    assert answer.status_code == 200 and answer.get_json()["active"] is False
    assert client.get("/api/v1/me", headers=headers).get_json()["code"] == "unauthenticated"
    locked = client.post("/api/v1/auth/tokens", json=credentials)
    assert (locked.status_code, locked.get_json()["code"]) == (403, "account_locked"), "the right password learns why"
    wrong = client.post("/api/v1/auth/tokens", json={**credentials, "password": "sai-mật-khẩu"})
    unknown = client.post("/api/v1/auth/tokens", json={**credentials, "username": "nobody_here"})
    assert wrong.status_code == unknown.status_code == 401, "a wrong password learns nothing about the account"
    assert wrong.get_json() == unknown.get_json() and wrong.get_json()["code"] == "invalid_credentials"
    web = client.post("/api/v1/auth/session", json=credentials)
    assert web.get_json()["code"] == "account_locked" and "parsurvey_session" not in web.headers.get("Set-Cookie", "")
    assert client.post("/api/v1/users/enum_gone/activate", headers=admin).get_json()["active"] is True
    assert client.get("/api/v1/me", headers=headers).status_code == 401  # old tokens stay revoked
    assert client.post("/api/v1/auth/tokens", json=credentials).status_code == 201


def test_the_last_active_admin_should_not_be_deactivated(client, admin, make_user):
    refused = client.post("/api/v1/users/test_admin/deactivate", headers=admin)
    assert refused.status_code == 409 and refused.get_json()["code"] == "state_conflict"
    make_user("second_admin", "admin")
    assert client.post("/api/v1/users/test_admin/deactivate", headers=admin).get_json()["active"] is False
