#!/usr/bin/env bash
# Starts a throwaway PostgreSQL (Debian's package) in a temporary folder on a
# free loopback port, for the tests. Source it; it exports
# BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING and stops the server on
# exit. Returns non-zero when no server could be started.

pg_bin_dir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

start_test_postgres() {
  local bin
  if ! bin="$(pg_bin_dir)"; then
    if can_apt; then
      apt_install postgresql
      bin="$(pg_bin_dir)" || return 1
    else
      return 1
    fi
  fi
  local as=()
  PG_TMP="$(mktemp -d /tmp/ai-platform-pg.XXXXXX)"
  if [[ "$(id -u)" == 0 ]]; then
    # initdb refuses to run as root: the cluster belongs to the postgres user.
    local runuser
    runuser="$(PATH="$PATH:/usr/sbin:/sbin" command -v runuser || true)"
    [[ -n "$runuser" ]] || { warn "runuser is missing: cannot start PostgreSQL as the postgres user"; return 1; }
    id postgres >/dev/null 2>&1 || { warn "there is no postgres user"; return 1; }
    chown postgres "$PG_TMP"
    as=("$runuser" -u postgres --)
  fi
  local port
  port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
  say "Starting PostgreSQL $("$bin/postgres" --version | awk '{print $3}') in $PG_TMP on 127.0.0.1:$port"
  "${as[@]}" "$bin/initdb" -D "$PG_TMP/data" -U postgres --auth=trust --no-sync >"$PG_TMP/initdb.log" 2>&1 || {
    cat "$PG_TMP/initdb.log" >&2
    return 1
  }
  "${as[@]}" "$bin/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 30 \
    -o "-p $port -k $PG_TMP -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null || {
    cat "$PG_TMP/server.log" >&2
    return 1
  }
  PG_CTL_STOP=("${as[@]}" "$bin/pg_ctl" -D "$PG_TMP/data" -m immediate stop)
  trap stop_test_postgres EXIT
  export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="postgresql://postgres@127.0.0.1:$port"
}

stop_test_postgres() {
  if [[ -n "${PG_TMP:-}" ]]; then
    "${PG_CTL_STOP[@]}" >/dev/null 2>&1 || true
    rm -rf "$PG_TMP"
    PG_TMP=""
  fi
}
