# lib_cli.sh: the harness shared by the command tests (sourced, not run):
# a temp dir removed on exit, check/expect_exit that count failures, and a
# closing line. The sourcing script sets `bin` (the spartan binary) first.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
passes=0

check() { # check DESCRIPTION COMMAND...: the command must succeed
    local what=$1
    shift
    if "$@"; then echo "ok   $what"; passes=$((passes + 1))
    else echo "FAIL $what"; fails=$((fails + 1)); fi
}

expect_exit() { # expect_exit CODE DESCRIPTION ARGS...: spartan ARGS exits CODE
    local code=$1 what=$2
    shift 2
    "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    if [ "$got" -eq "$code" ]; then echo "ok   $what (exit $got)"; passes=$((passes + 1))
    else echo "FAIL $what: exit $got, expected $code"; cat "$tmp/out" "$tmp/err"; fails=$((fails + 1)); fi
}

finish() { # the closing line; exit status 1 on any failure
    echo "$passes passed, $fails failed"
    [ "$fails" -eq 0 ]
}
