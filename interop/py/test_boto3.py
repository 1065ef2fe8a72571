"""boto3 (the AWS SDK for Python) against `cognate serve`, with only the endpoint changed and
dummy credentials: the user-pools API as applications call it."""

import uuid

import boto3
import jwt
import pyotp
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from flows import NEW_PASSWORD, PASSWORD, confirmed_user, next_totp, password_sign_in


def verify_id_token(server, pool, token):
    """Checks an ID token as a backend would, with PyJWT and the JWKS fetched over HTTP from
    the URL the discovery document names."""
    discovery = server.get_json(f"/{pool['id']}/.well-known/openid-configuration")
    assert discovery["issuer"] == server.issuer(pool["id"])
    signing_key = jwt.PyJWKClient(discovery["jwks_uri"]).get_signing_key_from_jwt(token)
    return jwt.decode(
        token,
        signing_key.key,
        algorithms=["RS256"],
        audience=pool["client_id"],
        issuer=discovery["issuer"],
    )


def test_admin_created_user_sets_a_new_password(server, idp, pool):
    username = f"admin-made-{uuid.uuid4().hex[:6]}"
    idp.admin_create_user(
        UserPoolId=pool["id"],
        Username=username,
        TemporaryPassword=PASSWORD,
        UserAttributes=[
            {"Name": "email", "Value": f"{username}@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
        MessageAction="SUPPRESS",
    )
    r = password_sign_in(idp, pool, username, PASSWORD)
    assert r["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert r["ChallengeParameters"]["USER_ID_FOR_SRP"] == username
    r = idp.respond_to_auth_challenge(
        ClientId=pool["client_id"],
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=r["Session"],
        ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": NEW_PASSWORD},
    )
    result = r["AuthenticationResult"]
    assert result["TokenType"] == "Bearer"
    assert result["ExpiresIn"] == 3600
    claims = verify_id_token(server, pool, result["IdToken"])
    assert claims["cognito:username"] == username
    assert claims["token_use"] == "id"
    # The new password is the password now.
    assert "AuthenticationResult" in password_sign_in(idp, pool, username, NEW_PASSWORD)
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        password_sign_in(idp, pool, username, PASSWORD)


def test_sign_up_and_confirm_with_the_emailed_code(server, idp, pool):
    username = f"signup-{uuid.uuid4().hex[:6]}"
    r = idp.sign_up(
        ClientId=pool["client_id"],
        Username=username,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}],
    )
    assert r["UserConfirmed"] is False
    assert r["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    with pytest.raises(idp.exceptions.UserNotConfirmedException):
        password_sign_in(idp, pool, username)
    with pytest.raises(idp.exceptions.CodeMismatchException):
        idp.confirm_sign_up(
            ClientId=pool["client_id"], Username=username, ConfirmationCode="000000"
        )
    code = server.last_code(pool["id"], username)
    idp.confirm_sign_up(ClientId=pool["client_id"], Username=username, ConfirmationCode=code)
    result = password_sign_in(idp, pool, username)["AuthenticationResult"]
    claims = verify_id_token(server, pool, result["IdToken"])
    assert claims["email"] == f"{username}@example.com"
    assert claims["email_verified"] is True


def test_refresh_get_user_and_global_sign_out(server, idp, pool):
    username = confirmed_user(idp, pool)
    result = password_sign_in(idp, pool, username)["AuthenticationResult"]
    refresh = result["RefreshToken"]

    user = idp.get_user(AccessToken=result["AccessToken"])
    assert user["Username"] == username
    attrs = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attrs["email"] == f"{username}@example.com"
    assert len(attrs["sub"]) == 36

    r = idp.initiate_auth(
        ClientId=pool["client_id"],
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": refresh},
    )["AuthenticationResult"]
    assert "RefreshToken" not in r
    assert idp.get_user(AccessToken=r["AccessToken"])["Username"] == username

    idp.global_sign_out(AccessToken=r["AccessToken"])
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        idp.initiate_auth(
            ClientId=pool["client_id"],
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh},
        )
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        idp.get_user(AccessToken=result["AccessToken"])


def test_totp_setup_and_sign_in_with_software_token_mfa(server, idp, pool):
    idp.set_user_pool_mfa_config(
        UserPoolId=pool["id"],
        SoftwareTokenMfaConfiguration={"Enabled": True},
        MfaConfiguration="OPTIONAL",
    )
    username = confirmed_user(idp, pool)
    access = password_sign_in(idp, pool, username)["AuthenticationResult"]["AccessToken"]

    secret = idp.associate_software_token(AccessToken=access)["SecretCode"]
    totp = pyotp.TOTP(secret)
    with pytest.raises(idp.exceptions.EnableSoftwareTokenMFAException):
        idp.verify_software_token(AccessToken=access, UserCode="000000")
    r = idp.verify_software_token(
        AccessToken=access, UserCode=totp.now(), FriendlyDeviceName="pyotp"
    )
    assert r["Status"] == "SUCCESS"
    idp.set_user_mfa_preference(
        AccessToken=access,
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
    )

    r = password_sign_in(idp, pool, username)
    assert r["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert "AuthenticationResult" not in r
    with pytest.raises(idp.exceptions.CodeMismatchException):
        idp.respond_to_auth_challenge(
            ClientId=pool["client_id"],
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=r["Session"],
            ChallengeResponses={"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": "000000"},
        )
    r = password_sign_in(idp, pool, username)
    r = idp.respond_to_auth_challenge(
        ClientId=pool["client_id"],
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=r["Session"],
        ChallengeResponses={
            "USERNAME": username,
            "SOFTWARE_TOKEN_MFA_CODE": next_totp(totp),
        },
    )
    claims = verify_id_token(server, pool, r["AuthenticationResult"]["IdToken"])
    assert claims["cognito:username"] == username


def test_unsigned_admin_calls_are_refused(server, pool):
    client = boto3.client(
        "cognito-idp",
        endpoint_url=server.url,
        region_name="us-east-1",
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
    )
    with pytest.raises(ClientError) as e:
        client.admin_get_user(UserPoolId=pool["id"], Username="nobody")
    assert e.value.response["Error"]["Code"] == "MissingAuthenticationTokenException"
