#!/usr/bin/env bash
# `make engine`: the Pulumi CLI and the language hosts the tests run it with, built from their
# Go modules at the versions engine/*/go.mod pin (each go.sum holds their checksums). Prints,
# as its last line, the folder that holds `pulumi` and the hosts.
#
# - A `pulumi` already on PATH (a user's own install) is used as it is: its folder is printed
#   and nothing is built. PULUMI_BACKUPS_BUILD_ENGINE=1 builds all the same.
# - The build is cached outside the work tree, in
#   ${PULUMI_BACKUPS_ENGINE_CACHE:-${XDG_CACHE_HOME:-~/.cache}/pulumi-backups/engine}/<key>,
#   where <key> is a digest of the pins and of this script: it is rebuilt only when they
#   change, and every clone on the machine (CI's included) reuses it.
# - Exits 3, saying why on standard error, when there is neither a `pulumi` nor Go.
#
# engine/cli/go.mod:   the CLI, github.com/pulumi/pulumi/pkg/v3/cmd/pulumi.
# engine/yaml/go.mod:  the YAML host, github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml,
#                      with the pkg/v3 it was released with (it does not build with newer).
# engine/hosts/go.mod: the Python and Node.js hosts. Their own modules
#                      (.../sdk/python/cmd/pulumi-language-python/v3, .../sdk/nodejs/cmd/
#                      pulumi-language-nodejs/v3) are not served by the module proxy; the
#                      newest sdk/v3 release served that still held them as packages is. That
#                      release's CLI goes to codegen/pulumi: its `package gen-sdk` writes the
#                      Node.js and Python SDKs itself, where today's CLI asks the language host
#                      (GeneratePackage), which those hosts do not have yet.
# Beside the binaries go the scripts that the release ships from the CLI's sdk/v3 module:
# pulumi-language-python-exec (the Python host runs programs through it) and the dynamic
# providers' plugins pulumi-resource-pulumi-python and pulumi-resource-pulumi-nodejs.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [ -z "${PULUMI_BACKUPS_BUILD_ENGINE:-}" ] && command -v pulumi >/dev/null 2>&1; then
  echo "engine: using the pulumi on PATH ($(pulumi version 2>/dev/null || echo '?'))" >&2
  dirname "$(command -v pulumi)"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "engine: no pulumi on PATH and no Go to build it: install the Pulumi CLI" \
    "(https://www.pulumi.com/docs/install/) or Go 1.26 (https://go.dev/dl/)" >&2
  exit 3
fi

export GOFLAGS=-mod=readonly GOTOOLCHAIN=local
key=$(cat "$here"/*/go.mod "$here"/*/go.sum "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16)
cache=${PULUMI_BACKUPS_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-backups/engine}
out="$cache/$key"
if [ -x "$out/pulumi" ]; then
  echo "$out"
  exit 0
fi

mkdir -p "$cache"
# One build at a time (parallel test workers ask at once): the others wait, then reuse it.
exec 9>"$cache/.lock"
flock 9
if [ -x "$out/pulumi" ]; then
  echo "$out"
  exit 0
fi
work=$(mktemp -d "$cache/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
started=$(date +%s)

module_field() { (cd "$here/$1" && go list -m -f "$3" "$2"); }
cli_version=$(module_field cli github.com/pulumi/pulumi/pkg/v3 '{{.Version}}')
echo "engine: building the Pulumi CLI $cli_version and its language hosts into $out" >&2

(cd "$here/cli" && go mod download github.com/pulumi/pulumi/sdk/v3 &&
  go build -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$cli_version" \
    -o "$work/" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
(cd "$here/yaml" && go build -trimpath -o "$work/" \
  github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml)
(cd "$here/hosts" && go build -trimpath -o "$work/" \
  github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python \
  github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs)
# That release links to a Go internal package by name, which today's linker refuses unless told.
codegen_version=$(module_field hosts github.com/pulumi/pulumi/pkg/v3 '{{.Version}}')
mkdir "$work/codegen"
(cd "$here/hosts" && go build -trimpath -tags osusergo,grpcnotrace \
  -ldflags "-checklinkname=0 -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$codegen_version" \
  -o "$work/codegen/" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)

sdk=$(module_field cli github.com/pulumi/pulumi/sdk/v3 '{{.Dir}}')
for script in python/cmd/pulumi-language-python-exec python/dist/pulumi-resource-pulumi-python \
  nodejs/dist/pulumi-resource-pulumi-nodejs; do
  install -m 0755 "$sdk/$script" "$work/"
done

rm -rf "$out"
mv "$work" "$out"
trap - EXIT
echo "engine: built in $(($(date +%s) - started)) s, $(du -sh "$out" | cut -f1)" >&2
echo "$out"
