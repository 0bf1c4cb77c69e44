"""The server's errors in OpenAI's shape: {"error": {"message", "type", "param", "code"}} with the
HTTP status that goes with it. Raised anywhere while serving a request, answered by the handler.
"""


class ApiError(Exception):
    def __init__(self, status: int, message: str, *, type: str = "invalid_request_error", param: str | None = None,
                 code: str | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.type, self.param, self.code = status, message, type, param, code
        self.headers = headers or {}

    def body(self) -> dict:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


def unsupported(param: str, message: str) -> ApiError:
    """A 400 for something OpenAI's API has and Octet does not do."""
    return ApiError(400, message, param=param, code="unsupported_parameter")


def invalid(param: str, message: str) -> ApiError:
    return ApiError(400, message, param=param, code="invalid_value")
