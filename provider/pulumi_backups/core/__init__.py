"""Shared machinery of every resource: base provider, waiting, retries, errors, ids, config."""

from .errors import (
    ApiError,
    AuthError,
    BackupsError,
    BadRequestError,
    ConfigError,
    ConflictError,
    NotFoundError,
    RateLimitedError,
    ResourceError,
    ServerError,
    TaskFailedError,
    TransportError,
    WaitTimeoutError,
    error_for_status,
)
from .ids import join_id, split_id
from .provider import BaseProvider, ResourceArgs, Timeouts, is_unknown
from .resource import DynamicResource
from .retry import RetryPolicy, call_with_retry, is_retryable
from .waiting import Clock, WaitPolicy, wait_until

__all__ = [
    "ApiError",
    "AuthError",
    "BackupsError",
    "BadRequestError",
    "BaseProvider",
    "Clock",
    "ConfigError",
    "ConflictError",
    "DynamicResource",
    "NotFoundError",
    "RateLimitedError",
    "ResourceArgs",
    "ResourceError",
    "RetryPolicy",
    "ServerError",
    "TaskFailedError",
    "Timeouts",
    "TransportError",
    "WaitPolicy",
    "WaitTimeoutError",
    "call_with_retry",
    "error_for_status",
    "is_retryable",
    "is_unknown",
    "join_id",
    "split_id",
    "wait_until",
]
