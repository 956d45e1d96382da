"""The easypost names the gateway uses, imported from their modules (typed, explicit)."""

from __future__ import annotations

from easypost.easypost_client import EasyPostClient as EasyPostClient
from easypost.easypost_object import convert_to_easypost_object as convert_to_easypost_object
from easypost.errors.api.api_error import ApiError as ApiError
from easypost.errors.api.forbidden_error import ForbiddenError as ForbiddenError
from easypost.errors.api.gateway_timeout_error import GatewayTimeoutError as GatewayTimeoutError
from easypost.errors.api.http_error import HttpError as HttpError
from easypost.errors.api.not_found_error import NotFoundError as NotFoundError
from easypost.errors.api.payment_error import PaymentError as PaymentError
from easypost.errors.api.rate_limit_error import RateLimitError as RateLimitError
from easypost.errors.api.timeout_error import TimeoutError as TimeoutError
from easypost.errors.api.unauthorized_error import UnauthorizedError as UnauthorizedError
from easypost.errors.api.unknown_api_error import UnknownApiError as UnknownApiError
from easypost.errors.general.easypost_error import EasyPostError as EasyPostError
