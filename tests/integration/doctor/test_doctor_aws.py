"""The doctor with AWS credentials: Cognito's own settings for the app client and pool,
read with DescribeUserPoolClient, DescribeUserPool and AdminGetUser from the emulator."""

from cognito_auth.client import secret_hash
from cognito_auth.doctor import AWS_CHECKS, OK, PROBLEM, SKIPPED, diagnose

from .helpers import PASSWORD, assert_no_secret_in, by_check


def test_a_well_configured_client_passes_every_aws_check(stored_client, cognito_pool, aws_credentials):
    report = diagnose(stored_client())
    results = by_check(report)
    assert {check: results[check].status for check in AWS_CHECKS} == dict.fromkeys(AWS_CHECKS, OK)
    assert "is the one Cognito shows" in results["aws_secret"].message
    assert "ALLOW_USER_PASSWORD_AUTH" in results["aws_auth_flows"].message
    assert report.ok
    assert_no_secret_in(report, cognito_pool.client_secret)


def test_a_stored_secret_that_is_not_cognitos(stored_client, aws_credentials):
    results = by_check(diagnose(stored_client(client_secret="wrong-secret-0123456789abcdef")))
    assert results["aws_secret"].status == PROBLEM
    assert "not the one Cognito shows" in results["aws_secret"].message
    assert "Import from Cognito" in results["aws_secret"].fix


def test_secret_present_on_one_side_only(stored_client, make_cognito_client, aws_credentials):
    missing = by_check(diagnose(stored_client(client_secret="")))
    assert missing["aws_secret"].status == PROBLEM and "none is stored here" in missing["aws_secret"].message
    client_id, _ = make_cognito_client(secret=False)
    unexpected = by_check(diagnose(stored_client(client_id=client_id, client_secret="stray-secret-0123456789")))
    assert unexpected["aws_secret"].status == PROBLEM and "has no secret" in unexpected["aws_secret"].message


def test_missing_auth_flows_are_named(stored_client, make_cognito_client, aws_credentials):
    client_id, secret = make_cognito_client(ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"])
    flows = by_check(diagnose(stored_client(client_id=client_id, client_secret=secret)))["aws_auth_flows"]
    assert flows.status == PROBLEM
    assert "ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH" in flows.message


def test_user_existence_errors_off_is_a_problem_only_without_a_secret(stored_client, make_cognito_client,
                                                                      aws_credentials):
    public_id, _ = make_cognito_client(secret=False, PreventUserExistenceErrors="LEGACY")
    public = by_check(diagnose(stored_client(client_id=public_id, client_secret="")))["aws_user_existence_errors"]
    assert public.status == PROBLEM and "anyone who knows the client id" in public.message
    assert "Enabled" in public.fix
    secret_id, secret = make_cognito_client(PreventUserExistenceErrors="LEGACY")
    confidential = by_check(diagnose(stored_client(client_id=secret_id, client_secret=secret)))
    assert confidential["aws_user_existence_errors"].status == OK
    assert "recommended" in confidential["aws_user_existence_errors"].message


def test_id_tokens_without_email_are_a_problem(stored_client, make_cognito_client, aws_credentials):
    client_id, secret = make_cognito_client(ReadAttributes=["given_name", "family_name"])
    attributes = by_check(diagnose(stored_client(client_id=client_id, client_secret=secret)))["aws_read_attributes"]
    assert attributes.status == PROBLEM
    assert "email, email_verified" in attributes.message
    readable_id, readable_secret = make_cognito_client(ReadAttributes=["email", "email_verified"])
    readable = by_check(diagnose(stored_client(client_id=readable_id, client_secret=readable_secret)))
    assert readable["aws_read_attributes"].status == OK
    assert "given_name, family_name" in readable["aws_read_attributes"].message


def test_token_validity_is_reported_with_advice_when_sessions_outlive_refresh_tokens(
    stored_client, make_cognito_client, aws_credentials, settings,
):
    client_id, secret = make_cognito_client(
        AccessTokenValidity=15, IdTokenValidity=15, RefreshTokenValidity=1,
        TokenValidityUnits={"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
    )
    settings.SESSION_COOKIE_AGE = 14 * 86400
    validity = by_check(diagnose(stored_client(client_id=client_id, client_secret=secret)))["aws_token_validity"]
    assert validity.status == OK
    assert "Access tokens last 15 minutes, ID tokens 15 minutes, refresh tokens 1 day." in validity.message
    assert "SESSION_COOKIE_AGE, 14 days" in validity.message
    settings.SESSION_COOKIE_AGE = 3600
    validity = by_check(diagnose(stored_client(client_id=client_id, client_secret=secret)))["aws_token_validity"]
    assert "SESSION_COOKIE_AGE" not in validity.message


def test_username_attributes_and_case_sensitivity_are_explained(cognito_emulator, stored_client, aws_credentials):
    pool_id = cognito_emulator.create_user_pool(
        "doctor-email-pool", UsernameAttributes=["email"], UsernameConfiguration={"CaseSensitive": False},
    )
    client_id, secret = cognito_emulator.create_app_client(pool_id, "email-client", secret=True)
    cognito_emulator.create_user(pool_id, "dora@example.com", PASSWORD)
    try:
        app_client = stored_client(user_pool_id=pool_id, client_id=client_id, client_secret=secret)
        results = by_check(diagnose(app_client, username="dora@example.com"))
    finally:
        cognito_emulator.boto3_admin_client().delete_user_pool(UserPoolId=pool_id)
    username = results["aws_username_attributes"]
    assert username.status == OK
    assert "sign in with their email" in username.message and "case-insensitive" in username.message
    # In an email-as-username pool the internal username is the sub, and so is its hash's.
    internal = results["username_internal_hash"]
    assert internal.status == OK and internal.details["username"] != "dora@example.com"
    assert internal.details["secret_hash"] == secret_hash(internal.details["username"], client_id, secret)


def test_a_case_sensitive_pool_gets_advice(stored_client, aws_credentials):
    username = by_check(diagnose(stored_client()))["aws_username_attributes"]
    assert username.status == OK and "case-sensitive" in username.message


def test_an_unknown_user_is_a_problem_for_the_internal_hash(stored_client, aws_credentials):
    internal = by_check(diagnose(stored_client(), username="nobody-here"))["username_internal_hash"]
    assert internal.status == PROBLEM and "has no user 'nobody-here'" in internal.message


def test_a_client_id_of_another_pool_is_reported(stored_client, cognito_emulator, aws_credentials):
    other_pool = cognito_emulator.create_user_pool("doctor-other-pool")
    try:
        results = by_check(diagnose(stored_client(user_pool_id=other_pool)))
    finally:
        cognito_emulator.boto3_admin_client().delete_user_pool(UserPoolId=other_pool)
    assert results["client"].status == OK  # the unsigned probe names no pool
    assert results["aws_client"].status == PROBLEM and other_pool in results["aws_client"].message
    assert "issuer" in results["aws_client"].fix


def test_credentials_aws_refuses_skip_the_aws_checks_with_the_reason(stored_client, cognito_pool, aws_credentials):
    denied = "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cognito-idp:DescribeUserPoolClient"
    cognito_pool.emulator.fail_next("DescribeUserPoolClient", cognito_pool.client_id, "AccessDeniedException", denied)
    results = by_check(diagnose(stored_client()))
    assert [results[check].status for check in AWS_CHECKS] == [SKIPPED] * len(AWS_CHECKS)
    assert "AWS refused DescribeUserPoolClient" in results["aws_client"].message
    assert "cognito-idp:DescribeUserPoolClient" in results["aws_client"].fix
