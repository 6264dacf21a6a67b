from cognito_auth.backends import CognitoBackend


class DepartmentBackend(CognitoBackend):
    """The required field comes from a Cognito custom attribute, through claim_fields."""

    claim_fields = {**CognitoBackend.claim_fields, "custom:department": "department"}
