"""Errors every service raises; each API renders them in its own fault format.

An error carries the HTTP status (``code``) and a message that says what was
wrong.  Services subclass these for their specific faults (Neutron's
``NetworkInUse``, Nova's ``InstanceInvalidState`` …) and keep the status.
"""


class PocketstackError(Exception):
    code = 500
    title = 'Internal Server Error'
    message = 'An unexpected error prevented the server from fulfilling your request.'
    headers = None

    def __init__(self, message=None, **kwargs):
        if message is None:
            message = self.message % kwargs if kwargs else self.message
        self.message = message
        self.kwargs = kwargs
        super().__init__(message)

    @property
    def error_type(self):
        """Name of the fault, e.g. ``NetworkInUse``: the class name."""
        return type(self).__name__


class BadRequest(PocketstackError):
    code = 400
    title = 'Bad Request'
    message = 'The request is malformed or invalid.'


class ValidationError(BadRequest):
    """A request body or parameter failed validation."""


class Unauthorized(PocketstackError):
    code = 401
    title = 'Unauthorized'
    message = 'The request you have made requires authentication.'


class Forbidden(PocketstackError):
    code = 403
    title = 'Forbidden'
    message = 'You are not authorized to perform the requested action.'


class PolicyNotAuthorized(Forbidden):
    message = 'Policy doesn\'t allow %(action)s to be performed.'


class NotFound(PocketstackError):
    code = 404
    title = 'Not Found'
    message = 'The resource could not be found.'


class MethodNotAllowed(PocketstackError):
    code = 405
    title = 'Method Not Allowed'
    message = 'The method is not allowed for the requested URL.'


class NotAcceptable(PocketstackError):
    code = 406
    title = 'Not Acceptable'
    message = 'The requested version or media type is not supported.'


class Conflict(PocketstackError):
    code = 409
    title = 'Conflict'
    message = 'The request conflicts with the current state of the resource.'


class Gone(PocketstackError):
    code = 410
    title = 'Gone'
    message = 'The resource was deleted meanwhile.'


class RequestEntityTooLarge(PocketstackError):
    code = 413
    title = 'Request Entity Too Large'
    message = 'Request is too large.'


class UnsupportedMediaType(PocketstackError):
    code = 415
    title = 'Unsupported Media Type'
    message = 'The request media type is not supported.'


class RangeNotSatisfiable(PocketstackError):
    code = 416
    title = 'Requested Range Not Satisfiable'
    message = 'The requested range is not satisfiable.'


class NotImplementedYet(PocketstackError):
    code = 501
    title = 'Not Implemented'
    message = 'The action you have requested has not been implemented.'


class ServiceUnavailable(PocketstackError):
    code = 503
    title = 'Service Unavailable'
    message = 'The service is temporarily unavailable.'
