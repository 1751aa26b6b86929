from .context import acting_as


class RequestIdMiddleware:
    """Binds the signed-in user and a request id to every change made during the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        source = "api" if request.path.startswith("/api/") else "web"
        with acting_as(getattr(request, "user", None), source) as context:
            request.request_id = context.request_id
            response = self.get_response(request)
        response["X-Request-Id"] = str(context.request_id)
        return response
