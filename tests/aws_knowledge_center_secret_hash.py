"""The reference: AWS knowledge-center article "How do I troubleshoot 'Unable to verify
secret hash for client <client-id>' errors", its Python script, kept as the article gives it
(arguments: username, app client id, app client secret)."""

import base64
import hashlib
import hmac
import sys

username = sys.argv[1]
app_client_id = sys.argv[2]
key = sys.argv[3]
message = bytes(sys.argv[1] + sys.argv[2], "utf-8")
key = bytes(sys.argv[3], "utf-8")
secret_hash = base64.b64encode(hmac.new(key, message, digestmod=hashlib.sha256).digest()).decode()

print("SECRET HASH:", secret_hash)
