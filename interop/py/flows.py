"""Steps shared by the Python interop tests."""

import time
import uuid

PASSWORD = "Interop-Passw0rd!"
NEW_PASSWORD = "Interop-N3w-Passw0rd!"


def confirmed_user(idp, pool, username=None, password=PASSWORD):
    """A confirmed user with a permanent password, made by the admin API."""
    username = username or f"user-{uuid.uuid4().hex[:8]}"
    idp.admin_create_user(
        UserPoolId=pool["id"],
        Username=username,
        UserAttributes=[
            {"Name": "email", "Value": f"{username}@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
        MessageAction="SUPPRESS",
    )
    idp.admin_set_user_password(
        UserPoolId=pool["id"], Username=username, Password=password, Permanent=True
    )
    return username


def password_sign_in(idp, pool, username, password=PASSWORD):
    return idp.initiate_auth(
        ClientId=pool["client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )


def next_totp(totp):
    """A TOTP code of a time step after the current one's end (the server refuses a step that
    was already used, e.g. by VerifySoftwareToken), waiting for that step to begin."""
    step = totp.interval
    now = time.time()
    time.sleep(step - now % step + 0.5)
    return totp.now()
