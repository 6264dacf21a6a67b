"""Sign Django users in against Amazon Cognito user pools."""
