# lib.sh - helpers sourced by every Kevlar guest check script (/tests/*.sh).
# Not a test itself: /init skips it.
#
# Each check prints exactly one line, "KTEST PASS <name>",
# "KTEST FAIL <name> <reason>" or "KTEST SKIP <name> <reason>", and appends the same line to $KTEST_TALLY
# (if set) so /init can count them. Check names are unique across the suite.
#
# Environment (set by /init or run-on-host.sh):
#   KTEST_TMP    scratch root (default /tmp); each script works in its own dir
#   KTEST_TALLY  file collecting result lines
#   KTEST_HOST=1 running on a Linux host, not in the Kevlar guest
#   KTEST_ROOT=1 on the host: root checks (mount, sethostname) are allowed,
#                in private mount/UTS namespaces

umask 022
export TZ=UTC LC_ALL=C
KTEST_TMP=${KTEST_TMP:-/tmp}
KT_NAME=${0##*/}
KT_NAME=${KT_NAME%.sh}
KT_D=$KTEST_TMP/kt.$KT_NAME.$$

kt_emit() {
    echo "$1"
    if [ -n "$KTEST_TALLY" ]; then
        echo "$1" >>"$KTEST_TALLY"
    fi
}

# Squash a value to one short line for a failure reason.
kt_show() {
    printf '%s' "$1" | tr '\n\t' '| ' | cut -c1-160
}

kt_pass() { kt_emit "KTEST PASS $1"; }

# kt_skip NAME WHY: the check does not apply here (e.g. a device this
# machine does not have). Counted in the total, never as a pass; the
# runners list every SKIP line with its reason.
kt_skip() {
    _n=$1
    shift
    kt_emit "KTEST SKIP $_n $*"
}

kt_fail() {
    _n=$1
    shift
    kt_emit "KTEST FAIL $_n $*"
}

# kt_eq NAME EXPECTED ACTUAL
kt_eq() {
    if [ "$2" = "$3" ]; then
        kt_pass "$1"
    else
        kt_fail "$1" "expected '$(kt_show "$2")' got '$(kt_show "$3")'"
    fi
}

# kt_ok NAME CMD [ARGS...]: passes if the command exits 0.
kt_ok() {
    _n=$1
    shift
    "$@"
    _rc=$?
    if [ "$_rc" -eq 0 ]; then
        kt_pass "$_n"
    else
        kt_fail "$_n" "exit status $_rc from: $*"
    fi
}

# kt_nok NAME CMD [ARGS...]: passes if the command exits non-zero.
kt_nok() {
    _n=$1
    shift
    "$@"
    _rc=$?
    if [ "$_rc" -ne 0 ]; then
        kt_pass "$_n"
    else
        kt_fail "$_n" "unexpected success of: $*"
    fi
}

# kt_num NAME ACTUAL OP VALUE: numeric test, e.g. kt_num x.size "$s" -ge 10
kt_num() {
    if [ -n "$2" ] && [ "$2" "$3" "$4" ] 2>/dev/null; then
        kt_pass "$1"
    else
        kt_fail "$1" "expected value $3 $4, got '$(kt_show "$2")'"
    fi
}

# kt_has NAME NEEDLE HAYSTACK: substring test
kt_has() {
    case "$3" in
    *"$2"*) kt_pass "$1" ;;
    *) kt_fail "$1" "'$(kt_show "$2")' not found in '$(kt_show "$3")'" ;;
    esac
}

# True in the Kevlar guest.
kt_guest() { [ "${KTEST_HOST:-0}" != 1 ]; }

# True where root-only checks (mount, sethostname) may run.
kt_root() { kt_guest || [ "${KTEST_ROOT:-0}" = 1 ]; }

# Strip all blanks (busybox wc etc. may pad numbers).
kt_trim() { tr -d ' \t\n'; }

kt_done() {
    cd /
    rm -rf "$KT_D"
    exit 0
}

rm -rf "$KT_D"
if ! mkdir -p "$KT_D" || ! cd "$KT_D"; then
    kt_fail "$KT_NAME.scratch_dir" "cannot create $KT_D"
    exit 1
fi
