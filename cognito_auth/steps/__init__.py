"""Sign-in steps after the password: Cognito's challenges (new password, MFA codes, the
choice of a factor, TOTP set-up), each on a page of its own.

``machine`` keeps a step's state and moves from one challenge to the next, ``forms``
answer each challenge, ``views`` are the pages, ``totp`` draws the set-up QR code.
"""
