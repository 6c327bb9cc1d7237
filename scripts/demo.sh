#!/usr/bin/env bash
# `make demo`: the quickstart against the local sandbox, from a fresh clone.
#
# 1. creates .venv and installs the project into it (when not done yet);
# 2. starts the sandbox on a free loopback port, with its state in a temporary folder;
# 3. when the `pulumi` CLI is missing: builds it when Go is here (`make engine`, cached), else
#    runs the quickstart through the test suite's engine driver (scripts/demo_engine.py:
#    preview, up, up again, destroy), says how to install the CLI, and stops;
# 4. logs Pulumi into a file backend in that temporary folder (PULUMI_HOME too, so the
#    user's own login is untouched), creates the stack `demo` configured for the sandbox,
#    runs `pulumi preview`, `pulumi up --yes`, prints the outputs, `pulumi destroy --yes`;
# 5. on every exit path: stops the sandbox, removes the temporary folder and the stack's
#    settings file (Pulumi.demo.yaml) it created.
set -euo pipefail

cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY="$VENV/bin/python"
STACK=${DEMO_STACK:-demo}
STACK_FILE="Pulumi.$STACK.yaml"
INSTALL_COMMAND="curl -fsSL https://get.pulumi.com | sh"
SANDBOX_VARS=(OVH_ENDPOINT OVH_APPLICATION_KEY OVH_APPLICATION_SECRET OVH_CONSUMER_KEY
  SCW_API_URL SCW_SECRET_KEY SCW_ACCESS_KEY SCW_DEFAULT_REGION SCW_DEFAULT_PROJECT_ID
  VPS_API_URL VPS_API_TOKEN)

step() { printf '\n==> %s\n' "$*"; }
fail() { printf 'demo: %s\n' "$*" >&2; exit 1; }

workdir=$(mktemp -d "${TMPDIR:-/tmp}/pulumi-backups-demo.XXXXXX")
sandbox_pid=""
stack_file_created=""

cleanup() {
  local status=$?
  if [ "$status" -ne 0 ] && [ -s "$workdir/sandbox.log" ]; then
    printf '\n==> the sandbox logged:\n' >&2
    tail -n 20 "$workdir/sandbox.log" >&2
  fi
  if [ -n "$sandbox_pid" ] && kill -0 "$sandbox_pid" 2>/dev/null; then
    kill -TERM "$sandbox_pid" 2>/dev/null || true
    wait "$sandbox_pid" 2>/dev/null || true
    printf '\n==> sandbox stopped (pid %s)\n' "$sandbox_pid"
  fi
  if [ -n "$stack_file_created" ]; then rm -f "$stack_file_created"; fi
  rm -rf "$workdir"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

install_project() {
  step "virtual environment $VENV"
  if [ ! -x "$PY" ]; then
    command -v python3 >/dev/null 2>&1 || fail "python3 (>= 3.10) is needed to create $VENV"
    python3 -m venv "$VENV"
  fi
  if "$PY" -c 'import pulumi_backups, starlette, uvicorn' 2>/dev/null; then
    echo "pulumi-backups is installed in $VENV"
  else
    "$PY" -m pip install --quiet --upgrade pip
    "$PY" -m pip install --quiet -e '.[sandbox]'
    echo "installed pulumi-backups into $VENV"
  fi
}

# Reads the sandbox's `export NAME=value` lines as they are printed (no polling): the
# sandbox binds its port before printing them, so it accepts connections once they are read.
start_sandbox() {
  step "sandbox"
  # Credentials already in the environment must not point the demo at real accounts.
  unset "${SANDBOX_VARS[@]}" OVH_CLIENT_ID OVH_CLIENT_SECRET SCW_PROFILE SCW_CONFIG_PATH
  coproc SANDBOX {
    exec "$PY" -m pulumi_backups.sandbox --port 0 --state "$workdir/sandbox.db" \
      --task-seconds 1 2>"$workdir/sandbox.log"
  }
  # shellcheck disable=SC2153  # SANDBOX_PID is set by coproc
  sandbox_pid=$SANDBOX_PID
  local line name missing=${#SANDBOX_VARS[@]}
  while [ "$missing" -gt 0 ]; do
    if ! IFS= read -r -t 60 line <&"${SANDBOX[0]}"; then
      cat "$workdir/sandbox.log" >&2 || true
      fail "the sandbox did not start (its log is above)"
    fi
    case "$line" in
      "export "*=*)
        eval "$line"
        name=${line#export }
        name=${name%%=*}
        for wanted in "${SANDBOX_VARS[@]}"; do
          if [ "$wanted" = "$name" ]; then missing=$((missing - 1)); fi
        done
        ;;
    esac
  done
  export "${SANDBOX_VARS[@]}"
  echo "sandbox serving at $VPS_API_URL (pid $sandbox_pid)"
}

# A pulumi on PATH (or in ~/.pulumi/bin), else the one `make engine` builds when Go is here
# (PULUMI_BACKUPS_ENGINE: a folder that holds it already).
have_pulumi() {
  if [ -x "${HOME:-}/.pulumi/bin/pulumi" ]; then PATH="$HOME/.pulumi/bin:$PATH"; fi
  command -v pulumi >/dev/null 2>&1 && return 0
  local engine=${PULUMI_BACKUPS_ENGINE:-}
  if [ -z "$engine" ] || [ ! -x "$engine/pulumi" ]; then
    command -v go >/dev/null 2>&1 || return 1
    step "the Pulumi CLI is missing: building it from its Go modules (make engine; once, minutes)"
    engine=$(bash engine/build.sh) || return 1
  fi
  # Its Python host runs the program with this interpreter, where the project is installed.
  PULUMI_PYTHON_CMD="$(cd "$(dirname "$PY")" && pwd)/$(basename "$PY")"
  export PULUMI_PYTHON_CMD PATH="$engine:$PATH"
  echo "using the Pulumi CLI built in $engine"
}

# Without the CLI: the same quickstart, driven by the test suite's engine driver.
run_without_cli() {
  step "the Pulumi CLI is missing: the quickstart runs through the test driver instead"
  "$PY" scripts/demo_engine.py "$workdir"
  step "to run it with the real engine"
  echo "Install the Pulumi CLI:"
  echo "    $INSTALL_COMMAND"
  echo "then open a new shell (or add ~/.pulumi/bin to PATH) and run 'make demo' again:"
  echo "it runs pulumi preview, up and destroy on a local stack."
}

create_stack() {
  step "Pulumi: local file backend in $workdir, stack $STACK"
  [ -e "$STACK_FILE" ] && fail "$STACK_FILE already exists: remove it or set DEMO_STACK=<name>"
  unset PULUMI_BACKEND_URL PULUMI_ACCESS_TOKEN
  export PULUMI_HOME="$workdir/pulumi-home"
  export PULUMI_CONFIG_PASSPHRASE=pulumi-backups-demo
  export PULUMI_SKIP_UPDATE_CHECK=true
  mkdir -p "$workdir/state"
  pulumi login "file://$workdir/state"
  stack_file_created=$STACK_FILE
  pulumi stack init "$STACK" --secrets-provider passphrase --non-interactive
  local plain=(ovh:endpoint=OVH_ENDPOINT ovh:applicationKey=OVH_APPLICATION_KEY
    scaleway:apiUrl=SCW_API_URL scaleway:accessKey=SCW_ACCESS_KEY
    scaleway:region=SCW_DEFAULT_REGION scaleway:projectId=SCW_DEFAULT_PROJECT_ID
    vps:apiUrl=VPS_API_URL)
  local secret=(ovh:applicationSecret=OVH_APPLICATION_SECRET ovh:consumerKey=OVH_CONSUMER_KEY
    scaleway:secretKey=SCW_SECRET_KEY vps:apiToken=VPS_API_TOKEN)
  local pair variable
  for pair in "${plain[@]}"; do
    variable=${pair#*=}
    pulumi config set --stack "$STACK" --plaintext "${pair%%=*}" "${!variable}"
  done
  for pair in "${secret[@]}"; do
    variable=${pair#*=}
    pulumi config set --stack "$STACK" --secret "${pair%%=*}" "${!variable}"
  done
  # The stack config now carries every setting: the environment is not needed any more.
  unset "${SANDBOX_VARS[@]}"
}

run_quickstart() {
  step "pulumi preview (the plan: no call reaches the APIs)"
  pulumi preview --stack "$STACK" --non-interactive
  step "pulumi up"
  pulumi up --yes --skip-preview --stack "$STACK" --non-interactive
  step "outputs (secrets hidden: pulumi stack output --show-secrets shows them)"
  pulumi stack output --stack "$STACK"
  step "pulumi destroy"
  pulumi destroy --yes --skip-preview --stack "$STACK" --non-interactive
}

install_project
start_sandbox
if have_pulumi; then
  create_stack
  run_quickstart
else
  run_without_cli
fi
step "done: the sandbox is stopped next, and the temporary stack is removed"
