#!/usr/bin/env bash
# Run a command with a throw-away PostgreSQL cluster: MODELCLEAR_TEST_DATABASE_URL points at it, so the
# team service's tests (tests/test_service_*.py) run on PostgreSQL as well as SQLite.
#
#   bash scripts/with-postgres.sh .venv/bin/python -m pytest
#
# Installs Debian's `postgresql` package when its binaries are missing (apt, as root or with sudo),
# creates the cluster in a private temporary folder owned by an unprivileged user (`nobody` when run
# as root), listens on 127.0.0.1 only, on a free port, with trust authentication for that loopback
# address, and stops and removes it afterwards, whatever the command's result. Exits with the
# command's code; 1 if the cluster cannot be made.
set -uo pipefail
cd "$(dirname "$0")/.."

pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

BIN="$(pg_bin)"
if [ -z "$BIN" ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then SUDO="sudo -n"; else
      echo "with-postgres: PostgreSQL is not installed and apt needs root: install Debian's postgresql" >&2
      exit 1
    fi
  fi
  $SUDO apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null \
    || { echo "with-postgres: could not install Debian's postgresql" >&2; exit 1; }
  BIN="$(pg_bin)"
fi

DIR="$(mktemp -d /tmp/modelclear-pg.XXXXXX)"
RUN=()
if [ "$(id -u)" -eq 0 ]; then
  chown nobody "$DIR"
  RUN=(runuser -u nobody --)
fi
PORT="$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

stop() {
  "${RUN[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap stop EXIT

if ! "${RUN[@]}" "$BIN/initdb" -D "$DIR/data" -U modelclear --auth=trust -E UTF8 >"$DIR/initdb.log" 2>&1; then
  echo "with-postgres: initdb failed:" >&2; cat "$DIR/initdb.log" >&2; exit 1
fi
if ! "${RUN[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
     -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off" start >/dev/null; then
  echo "with-postgres: the server did not start:" >&2; cat "$DIR/server.log" >&2; exit 1
fi
if ! "${RUN[@]}" "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U modelclear modelclear_test; then
  echo "with-postgres: createdb failed" >&2; exit 1
fi

export MODELCLEAR_TEST_DATABASE_URL="postgresql://modelclear@127.0.0.1:$PORT/modelclear_test"
echo "with-postgres: PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT" >&2
"$@"
