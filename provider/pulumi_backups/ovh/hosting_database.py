"""``HostingDatabase``: a database of an OVHcloud web hosting (``/hosting/web/{sn}/database``).

Id ``{service_name}/{name}``. Only the password changes in place (``changePassword`` task);
every other API field replaces the database. ``deletion_protection`` (on by default) makes
delete, and any change that would replace the database, fail until it is turned off.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

import pulumi
from pulumi.dynamic import DiffResult
from pydantic import Field, field_validator

from ..core.errors import BackupsError
from ..core.ids import join_id, split_id
from ..core.provider import BaseProvider, ResourceArgs
from ..core.resource import DynamicResource
from .client import ovh_client
from .hosting_client import HostingApi
from .hosting_operations import (
    change_password,
    create_database,
    delete_database,
    read_database,
)
from .models import SERVICE_NAME, Database, DatabaseRequest, hosting_login

ID_SHAPE = "{service_name}/{name}"
REPLACING = ("service_name", "user", "type", "capability", "version", "quota")


def _password_ok(password: str) -> bool:
    mixed = any(c.isdigit() for c in password) and any(c.isalpha() for c in password)
    return mixed and 8 <= len(password) <= 30


class HostingDatabaseArgs(ResourceArgs):
    """Inputs of :class:`HostingDatabase`."""

    service_name: str = Field(
        pattern=SERVICE_NAME,
        description="Web hosting service, e.g. `x.cluster000.hosting.ovh.net`.",
    )
    user: str = Field(
        description="Database user: lower case letters and digits, the hosting login followed by "
        "at most 6 more characters. The database is named after it (`<user>.mysql.db`)."
    )
    type: Literal["mariadb", "mysql", "postgresql", "redis"] = Field(description="Engine.")
    capability: Literal[
        "extraSqlPerso", "local", "privateDatabase", "sqlLocal", "sqlPerso", "sqlPro"
    ] = Field(description="Offer the database is taken from (API field `capabilitie`).")
    version: str | None = Field(
        default=None,
        pattern=r"^\d+(\.\d+)*$",
        description="Engine version (e.g. `8.0`); the API's default when absent. The API keeps "
        "the list of available versions (`databaseAvailableVersion`) and has the last word.",
    )
    quota: Literal[25, 100, 200, 256, 400, 512, 800, 1024] | None = Field(
        default=None, description="Size in MB; extraSqlPerso only."
    )
    password: str | None = Field(
        default=None,
        description="Password (8 to 30 characters, letters and digits); changed in place.",
    )
    deletion_protection: bool = Field(
        default=True, description="While true, delete and replace fail; turn it off first."
    )
    adopt: bool = Field(
        default=False, description="Take an existing database of `user` under management."
    )

    @field_validator("user")
    @classmethod
    def _user_shape(cls, user: str) -> str:
        if not re.fullmatch(r"[a-z0-9]+", user):
            raise ValueError("must contain only lower case letters and digits")
        return user

    def cross_check(self, olds: Mapping[str, Any]) -> list[tuple[str, str]]:
        failures = []
        login = hosting_login(self.service_name)
        if login and not (self.user.startswith(login) and len(self.user) - len(login) <= 6):
            failures.append(
                ("user", f"must start with the hosting login {login!r} (the first label of "
                 f"service_name) and add at most 6 characters (got {self.user!r})")
            )  # fmt: skip
        if self.password is not None and not _password_ok(self.password):
            # checked here, not by a validator: a field failure would echo the secret value
            failures.append(("password", "must be 8 to 30 characters and mix letters and digits"))
        if self.quota is not None and self.capability != "extraSqlPerso":
            failures.append(
                ("quota", f"can only be chosen with extraSqlPerso, not {self.capability}")
            )
        return failures + self._protected_replace(olds)

    def _protected_replace(self, olds: Mapping[str, Any]) -> list[tuple[str, str]]:
        """A change that replaces a protected database fails here, before anything happens."""
        if not olds or not olds.get("deletion_protection", True):
            return []
        return [
            (field, f"changing {field} replaces the database, deleting the current one and its "
             "data, and deletion_protection is on: set deletion_protection to false and run "
             f"`pulumi up` first, then change {field}")
            for field in REPLACING
            if olds.get(field) != getattr(self, field)
        ]  # fmt: skip

    def to_inputs(self) -> dict[str, Any]:
        """The stored inputs, with the name the database gets (``<user>.mysql.db``).

        A dynamic provider's preview knows a resource's outputs from its inputs alone: with
        the name among them, a preview of an update or a replacement gives the dumps and
        restores of the database its name, and shows them as they will be (unchanged, or
        replaced when another user means another name) instead of guessing from an unknown.
        The API's answer has the last word in the outputs.
        """
        return {**super().to_inputs(), "name": f"{self.user}.mysql.db"}

    def to_request(self) -> DatabaseRequest:
        """The database to create (or adopt)."""
        return DatabaseRequest(
            user=self.user, type=self.type, capability=self.capability, version=self.version,
            quota=self.quota, password=self.password,
        )  # fmt: skip


def database_outputs(db: Database, args: HostingDatabaseArgs) -> dict[str, Any]:
    """Outputs read from the API. ``version`` is reported only when set, so drift shows."""
    outs = {
        "name": db.name,
        "mode": db.mode,
        "server": db.server,
        "port": db.port,
        "state": db.state,
        "status": db.status,
        "quota_size": db.quota_size,
        "quota_used": db.quota_used,
    }
    if args.version is not None and db.version is not None:
        outs["version"] = db.version
    return outs


class HostingDatabaseProvider(BaseProvider[HostingDatabaseArgs]):
    """CRUD of a web-hosting database; see :class:`HostingDatabase`."""

    kind = "HostingDatabase"
    args_type = HostingDatabaseArgs
    secrets = frozenset({"password"})
    replace_on_change = frozenset(REPLACING)

    def describe(self, args: HostingDatabaseArgs) -> str:
        return f"HostingDatabase of user {args.user} on {args.service_name}"

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """A replacement that keeps the user keeps the name: the old one must go first."""
        result = super().diff(id_, olds, news)
        if result.replaces and not {"service_name", "user"} & set(result.replaces):
            result.delete_before_replace = True
        return result

    def create_resource(self, args: HostingDatabaseArgs) -> tuple[str, dict[str, Any]]:
        api = _api(args.service_name)
        policy = self.wait_policy(args, "create")

        def named(db: Database) -> tuple[str, dict[str, Any]]:
            return join_id(args.service_name, db.name), database_outputs(db, args)

        request = args.to_request()
        return named(create_database(api, request, adopt=args.adopt, policy=policy, named=named))

    def read_resource(
        self, id_: str, args: HostingDatabaseArgs, props: dict[str, Any]
    ) -> dict[str, Any] | None:
        service_name, name = split_id(id_, ID_SHAPE)
        db = read_database(_api(service_name), name, args.user)
        return None if db is None else database_outputs(db, args)

    def update_resource(
        self, id_: str, olds: dict[str, Any], args: HostingDatabaseArgs
    ) -> dict[str, Any]:
        """Only the password changes in place; other in-place fields are ours alone."""
        service_name, name = split_id(id_, ID_SHAPE)
        api = _api(service_name)
        if args.password is not None and args.password != olds.get("password"):
            policy = self.wait_policy(args, "update")
            db = change_password(api, name, args.password, policy, args.user)
            return database_outputs(db, args)
        return database_outputs(api.database(name, args.user), args)

    def import_inputs(self, id_: str) -> dict[str, Any]:
        service_name, name = split_id(id_, ID_SHAPE)
        db = read_database(_api(service_name), name)
        if db is None:
            raise BackupsError(f"no database {name} on {service_name} to import")
        inputs = {"service_name": service_name, "user": db.user, "type": db.type}
        return {**inputs, "capability": db.capability, "version": db.version}

    def delete_resource(self, id_: str, args: HostingDatabaseArgs, props: dict[str, Any]) -> None:
        if args.deletion_protection:
            raise BackupsError(
                "deletion_protection is on: set deletion_protection to false and run "
                "`pulumi up` first, then destroy or replace the database"
            )
        service_name, name = split_id(id_, ID_SHAPE)
        delete_database(_api(service_name), name, self.wait_policy(args, "delete"))


def _api(service_name: str) -> HostingApi:
    return HostingApi(ovh_client(), service_name)


class HostingDatabase(DynamicResource, module="ovh", name="HostingDatabase"):
    """A database of an OVHcloud web hosting.

    Only ``password`` changes in place; any other change replaces the database, which
    ``deletion_protection`` (on by default) refuses until it is turned off::

        db = HostingDatabase("app", service_name="sandbox.cluster000.hosting.ovh.net",
                             user="sandboxapp", type="mysql", capability="sqlPerso",
                             password=config.require_secret("dbPassword"))
    """

    name: pulumi.Output[str]
    """Name of the database, `<user>.<engine>.db` (e.g. `sandboxapp.mysql.db`)."""
    mode: pulumi.Output[str]
    """How the database is reached (`besteffort`, `classic` or `module`)."""
    server: pulumi.Output[str]
    """Host name of the database server to connect to."""
    port: pulumi.Output[int]
    """Port of the database server."""
    state: pulumi.Output[str]
    """State of the database as the API reports it (e.g. `activated`)."""
    status: pulumi.Output[str]
    """Status of the database as the API reports it (e.g. `ok`)."""
    quota_size: pulumi.Output[float]
    """Space the database may use, in MB."""
    quota_used: pulumi.Output[float]
    """Space the database uses, in MB (at the last read)."""
    service_name: pulumi.Output[str]
    user: pulumi.Output[str]
    type: pulumi.Output[str]
    capability: pulumi.Output[str]
    version: pulumi.Output[str | None]
    quota: pulumi.Output[int | None]
    password: pulumi.Output[str | None]
    deletion_protection: pulumi.Output[bool]

    def __init__(
        self,
        resource_name: str,
        *,
        service_name: pulumi.Input[str],
        user: pulumi.Input[str],
        type: pulumi.Input[str],
        capability: pulumi.Input[str],
        version: pulumi.Input[str] | None = None,
        quota: pulumi.Input[int] | None = None,
        password: pulumi.Input[str] | None = None,
        deletion_protection: pulumi.Input[bool] | None = None,
        adopt: pulumi.Input[bool] | None = None,
        timeouts: pulumi.Input[Mapping[str, float]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        arguments = {
            "service_name": service_name, "user": user, "type": type, "capability": capability,
            "version": version, "quota": quota, "password": password,
            "deletion_protection": deletion_protection, "adopt": adopt, "timeouts": timeouts,
        }  # fmt: skip
        super().__init__(HostingDatabaseProvider(), resource_name, arguments, opts)
