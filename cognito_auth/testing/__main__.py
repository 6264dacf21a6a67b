"""``python -m cognito_auth.testing``: run the strict local Cognito (see ``emulator.main``)."""

import sys

from cognito_auth.testing.emulator import main

if __name__ == "__main__":
    sys.exit(main())
