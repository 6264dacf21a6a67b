"""Custom user models, each signed in under its own settings (AUTH_USER_MODEL is one per
process): ``tests/test_custom_user_models.py`` runs ``scenarios.py`` in a pytest
subprocess per model."""
