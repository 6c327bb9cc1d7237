"""The resources and functions the provider plugin serves, by type token: one table, from
which the package schema, the property names and the dispatch of every call are derived.

Each kind's inputs are its ``XArgs`` model (meanings, defaults and validation: the one source
of truth shared with the dynamic resources), its outputs are the ``pulumi.Output``
annotations of its dynamic resource class, and its lifecycle and secrets are its
``XProvider``'s (the same check, diff, operations and ``secrets`` as the dynamic path).
Property names are the snake_case field names in camelCase (``service_name`` ->
``serviceName``).
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from pydantic.alias_generators import to_camel, to_snake

from ..catalog import LOOKUPS, RESOURCES

PACKAGE = "backups"


@dataclass(frozen=True)
class Kind:
    """One resource kind: where its classes live."""

    module: str
    """``<api>.<module>`` under ``pulumi_backups``, e.g. ``ovh.hosting_database_dump``."""
    name: str
    """The class name stem: ``X`` of ``XArgs`` / ``XProvider`` / ``X``."""

    @property
    def api(self) -> str:
        return self.module.split(".")[0]

    @property
    def token(self) -> str:
        return f"{PACKAGE}:{self.api}:{self.name}"

    @cached_property
    def _module(self) -> Any:
        return importlib.import_module(f"pulumi_backups.{self.module}")

    @property
    def args(self) -> Any:
        """The ``XArgs`` model (pydantic)."""
        return getattr(self._module, f"{self.name}Args")

    @property
    def provider(self) -> Any:
        """The ``XProvider`` class (a :class:`~pulumi_backups.core.provider.BaseProvider`)."""
        return getattr(self._module, f"{self.name}Provider")

    @property
    def resource(self) -> Any:
        """The dynamic resource class, whose ``pulumi.Output`` annotations list the outputs."""
        return getattr(self._module, self.name)

    @property
    def id_shape(self) -> str:
        """The form of its ids, e.g. ``{server_id}/{backup_id}`` (its module's ``ID_SHAPE``)."""
        shape: str = self._module.ID_SHAPE
        return shape

    @property
    def secrets(self) -> frozenset[str]:
        """snake_case names of the secret properties (inputs or outputs): the provider's."""
        secrets: frozenset[str] = self.provider.secrets
        return secrets


KINDS: tuple[Kind, ...] = tuple(Kind(module, name) for name, module in RESOURCES.items())
BY_TOKEN = {kind.token: kind for kind in KINDS}


@dataclass(frozen=True)
class Lookup:
    """One look-up function, served as an invoke: where it lives and what it takes."""

    module: str
    """``<api>.<module>`` under ``pulumi_backups``, e.g. ``vps.lookups``."""
    name: str
    """The Python function's name, e.g. ``get_vps_backups``."""

    @property
    def token(self) -> str:
        return f"{PACKAGE}:{self.module.split('.')[0]}:{to_camel(self.name)}"

    @cached_property
    def _module(self) -> Any:
        return importlib.import_module(f"pulumi_backups.{self.module}")

    @property
    def function(self) -> Any:
        return getattr(self._module, self.name)

    @property
    def args(self) -> Any:
        """The ``GetXArgs`` model (pydantic) of its inputs."""
        return getattr(
            self._module, f"{to_camel(self.name)[:1].upper()}{to_camel(self.name)[1:]}Args"
        )

    @property
    def result(self) -> Any:
        """The model it answers (its return annotation)."""
        return inspect.signature(self.function, eval_str=True).return_annotation

    @property
    def secrets(self) -> frozenset[str]:
        """snake_case fields of the answer, at any depth, that are secret."""
        secrets: frozenset[str] = getattr(self.result, "secrets", frozenset())
        return secrets

    def call(self, args: dict[str, Any]) -> dict[str, Any]:
        """The answer to ``args`` (Python names), as a plain dict."""
        inputs = self.args.model_validate(args).model_dump()
        answer: dict[str, Any] = self.function(**inputs).model_dump()
        return answer


LOOKUP_FUNCTIONS: tuple[Lookup, ...] = tuple(
    Lookup(module, name) for name, module in LOOKUPS.items()
)
LOOKUPS_BY_TOKEN = {lookup.token: lookup for lookup in LOOKUP_FUNCTIONS}

ORPHAN_DUMPS = f"{PACKAGE}:ovh:getOrphanDumps"
"""The function listing the dumps of a deleted web-hosting database (``get_orphan_dumps``)."""
ORPHAN_DUMP_SECRETS = frozenset({"url"})
"""snake_case fields of an orphan dump that are secret: ``url`` downloads it unsigned."""


@dataclass(frozen=True)
class Setting:
    """One provider configuration key and the stack config key the dynamic path reads."""

    key: str
    """``backups:<key>``, e.g. ``ovhEndpoint``."""
    dynamic_key: str
    """The key the settings lookup reads, e.g. ``ovh:endpoint``."""
    description: str
    secret: bool = False
    env: str = ""
    """The environment variable read when the setting is unset (the design's table); by
    default the API's prefix and the key's words, e.g. ``OVH_APPLICATION_KEY``."""

    @property
    def environment(self) -> str:
        if self.env:
            return self.env
        api, _, key = self.dynamic_key.partition(":")
        prefix = {"scaleway": "SCW"}.get(api, api.upper())
        return f"{prefix}_{to_snake(key).upper()}"


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "ovhEndpoint",
        "ovh:endpoint",
        "OVHcloud endpoint: `ovh-eu`, `ovh-ca`, ... or a URL.",
        env="OVH_ENDPOINT",
    ),
    Setting("ovhApplicationKey", "ovh:applicationKey", "OVHcloud application key.", True),
    Setting("ovhApplicationSecret", "ovh:applicationSecret", "OVHcloud application secret.", True),
    Setting("ovhConsumerKey", "ovh:consumerKey", "OVHcloud consumer key.", True),
    Setting("ovhClientId", "ovh:clientId", "OVHcloud OAuth2 client id.", True),
    Setting("ovhClientSecret", "ovh:clientSecret", "OVHcloud OAuth2 client secret.", True),
    Setting("scalewayAccessKey", "scaleway:accessKey", "Scaleway access key.", True),
    Setting("scalewaySecretKey", "scaleway:secretKey", "Scaleway secret key.", True),
    Setting(
        "scalewayRegion",
        "scaleway:region",
        "Scaleway default region, e.g. `fr-par`.",
        env="SCW_DEFAULT_REGION",
    ),
    Setting(
        "scalewayProjectId",
        "scaleway:projectId",
        "Scaleway default project id.",
        env="SCW_DEFAULT_PROJECT_ID",
    ),
    Setting("scalewayApiUrl", "scaleway:apiUrl", "Scaleway API URL.", env="SCW_API_URL"),
    Setting("scalewayProfile", "scaleway:profile", "Profile of the Scaleway CLI config file."),
    Setting("vpsApiUrl", "vps:apiUrl", "VPS panel API URL.", env="VPS_API_URL"),
    Setting("vpsApiToken", "vps:apiToken", "VPS panel API token.", True),
)


def camel(name: str) -> str:
    """A property's schema name: ``download_url`` -> ``downloadUrl``."""
    return to_camel(name)


def pascal(name: str) -> str:
    """A type or Go / .NET field name: ``download_url`` -> ``DownloadUrl``."""
    text = camel(name)
    return text[:1].upper() + text[1:]


def snake(name: str) -> str:
    """A property's Python name: ``downloadUrl`` -> ``download_url``."""
    return to_snake(name)
