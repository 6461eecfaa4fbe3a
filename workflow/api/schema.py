"""How the schema describes the API's authentication (drf-spectacular extensions, registered on import)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "workflow.api.authentication.BearerTokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Token API (knj_...), diterbitkan admin BKD: manage.py api_token create.",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "workflow.api.authentication.SessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
