"""The example's API: who a Cognito bearer token belongs to, for plain Django and for DRF."""

from django.http import HttpRequest, JsonResponse

from cognito_auth.api import bearer_token_required


@bearer_token_required
def me(request: HttpRequest) -> JsonResponse:
    """``{"username": ..., "sub": ...}`` of the linked Django user."""
    return JsonResponse({"username": request.user.get_username(), "sub": request.cognito_bearer.claims["sub"]})


try:
    from rest_framework.permissions import IsAuthenticated
    from rest_framework.renderers import JSONRenderer
    from rest_framework.response import Response
    from rest_framework.views import APIView

    from cognito_auth.drf import CognitoTokenAuthentication
except ImportError:  # the drf extra is not installed: only the plain view is served
    DrfMe = None
else:

    class DrfMe(APIView):
        """The same answer through Django REST framework's authentication class."""

        authentication_classes = [CognitoTokenAuthentication]
        permission_classes = [IsAuthenticated]
        renderer_classes = [JSONRenderer]  # no browsable API: rest_framework need not be installed

        def get(self, request):
            return Response({"username": request.user.get_username(), "sub": request.auth.claims["sub"]})
