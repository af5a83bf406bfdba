# common.bash - loaded by every bats file: `load lib/common`.
#
# Puts the programs under test first on PATH (RAWFTP_BIN, set by `make test`)
# and starts and stops ftp-labd for a test.  Every server a test starts is
# stopped by its PID in teardown; every wait here is bounded.

# (bats gives the test file's folder as an absolute path, and runs this
# once per test: the parent is taken by bash, not by a process.)
# shellcheck disable=SC2034 # for the tests
REPO_ROOT=${BATS_TEST_DIRNAME%/*}
: "${RAWFTP_BIN:=$REPO_ROOT/bin}"
# test helper programs (tests/helpers/*.c), built by `make test`
: "${RAWFTP_TESTBIN:=$REPO_ROOT/build/tests}"
export PATH="$RAWFTP_BIN:$PATH"
bats_require_minimum_version 1.5.0	# run --separate-stderr

# mkdir, rm, ln and mkfifo as bash builtins, from Debian's bash-builtins
# (.ci/run installs it): bats makes two folders and removes one for
# every test, and the tests make and remove their own, each a fork and
# an exec (4 to 6 ms of CPU on CI's virtual machine) that a builtin does
# not pay.  They take the options the tests use (mkdir -p, rm -rf, ln
# -sf).  Without the package the programs are used, as before.
for rawftp_builtin in rm ln mkfifo; do
	enable -f "/usr/lib/bash/$rawftp_builtin" "$rawftp_builtin" 2>/dev/null
done
unset rawftp_builtin
# The builtin's -m makes the folder under the umask and drops a sticky
# bit: a folder with a mode is the program's.
if enable -f /usr/lib/bash/mkdir mkdir 2>/dev/null; then
	mkdir() {
		case " $* " in
		*" -m"*) /usr/bin/mkdir "$@" ;;
		*) builtin mkdir "$@" ;;
		esac
	}
fi

# bats 1.8 times each test (--timing) with get_mills_since_epoch, which
# starts date(1) twice per test; bash has the clock itself.  (Only the
# " in Nms" of a result line comes from it.)
get_mills_since_epoch() {
	local t=${EPOCHREALTIME//[!0-9]/}
	echo $((10#$t / 1000))
}

# bats 1.8 finds the line a failed test stopped at with a DEBUG trap: a
# function that copies the call stack, run before every simple command
# of the test and of the helpers here.  That made the tests' own bash
# about 100 times slower (0.2 ms a command: a wait_until poll, a line
# read off a screen).  The ERR trap fires on the failed command itself,
# so the stack is taken there instead, and the report names the same
# line.  A test that ends with "return 1" fails as a whole, in bats's
# own frame, and a failing teardown (run in an || list) fires no ERR:
# their reports name no line (the DEBUG trap gave the last command's),
# and say what went wrong in the test's own output.  Where bats is not
# the version these functions come from, it is left as it is.
if declare -F bats_setup_tracing bats_capture_stack_trace \
	bats_error_trap >/dev/null &&
	! declare -F rawftp_bats_setup_tracing >/dev/null; then
	eval "rawftp_$(declare -f bats_setup_tracing)"
	bats_setup_tracing() {
		rawftp_bats_setup_tracing
		trap - DEBUG
		trap rawftp_error_trap ERR
		BATS_DEBUG_LAST_STACK_TRACE=()	# (the trap ran once, here)
	}
	rawftp_error_trap() {
		local status=$?
		if [ "${FUNCNAME[1]}" = bats_perform_test ]; then
			BATS_DEBUG_LAST_STACK_TRACE=()	# the whole test: no line
		else
			bats_capture_stack_trace	# the failed command's frame
		fi
		[ -n "${BATS_TEST_COMPLETED:-}" ] ||
			BATS_ERROR_STATUS=${BATS_ERROR_STATUS:-$status}
		bats_error_trap
	}
fi

# refute CMD...: fails when CMD succeeds.  A bare "! cmd" line cannot fail
# a bats test (errexit ignores it), so every negative check uses this.
refute() {
	if "$@"; then
		echo "expected to fail: $*" >&2
		return 1
	fi
}

# nap SECONDS: a pause that starts no process: read times out on a pipe
# that nothing writes to.  The suite polls thousands of times; a sleep(1)
# for each poll was a fork and an exec.
nap() {
	[ -n "${NAP_FD:-}" ] || exec {NAP_FD}<> <(:)
	read -r -t "$1" -u "$NAP_FD" _ || true
}

# Wait until a command succeeds, at most $1 tenths of a second, times
# RAWFTP_WAIT_SCALE (default 3): a bound only says when to give up, so a
# larger one costs a passing test nothing, and a loaded machine (several
# tests at once on two cores, under ASan) needs it.  The first polls come
# quickly (10 ms, then 20, 50, then every 100 ms): most conditions hold
# within a few milliseconds.  The command's words are expanded once, by
# the caller: `wait_until 50 test "$(count)" -eq 20` tests the count of
# the moment it was called, again and again.  What must be read at each
# poll goes in a function (or `eval '...'`).
wait_until() {
	local bound=$(($1 * ${RAWFTP_WAIT_SCALE:-3} * 100000)) pause=0.01 t0
	local t=${EPOCHREALTIME//[!0-9]/}
	t0=$((10#$t))
	shift
	while :; do
		"$@" && return 0
		t=${EPOCHREALTIME//[!0-9]/}
		((10#$t - t0 < bound)) || return 1
		nap "$pause"
		case $pause in
		0.01) pause=0.02 ;;
		0.02) pause=0.05 ;;
		*) pause=0.1 ;;
		esac
	done
}

# line_after FILE PREFIX: REPLY is the rest of the first line of FILE
# that starts with PREFIX; fails when there is none.  Read by bash
# itself, for short files: a sed for each value read was a process.
line_after() {
	local line
	REPLY=
	[ -r "$1" ] || return 1
	while IFS= read -r line || [ -n "$line" ]; do
		[[ $line == "$2"* ]] && { REPLY=${line#"$2"}; return 0; }
	done <"$1"
	return 1
}

# has_line FILE PREFIX: succeeds once a line of FILE starts with PREFIX
# (a wait polls it: a grep for each poll was a process).
has_line() {
	line_after "$@"
}

# account_password FILE NAME: REPLY is NAME's password in a class file
# (NAME:PASSWORD:...), read by bash: a grep | cut was two processes.
account_password() {
	local name pw
	REPLY=
	while IFS=: read -r name pw _; do
		[ "$name" != "$2" ] || { REPLY=$pw; return 0; }
	done <"$1"
	return 1
}

# pid_gone PID: succeeds once the process PID has ended.
pid_gone() {
	! kill -0 "$1" 2>/dev/null
}

# size_at_least FILE BYTES: succeeds once FILE holds BYTES or more.
size_at_least() {
	[ -f "$1" ] && [ "$(wc -c <"$1")" -ge "$2" ]
}

# every_byte_value FILE N: writes N bytes to FILE, the byte values 0 to
# 255 in turn and again (NUL, CR and LF among them), with one printf
# (a $(printf) for each 256 bytes was a process).
every_byte_value() {
	local all rep= i
	printf -v all '\\x%02x' {0..255}
	for ((i = 0; i < $2 / 256; i++)); do
		rep+=$all
	done
	# shellcheck disable=SC2059 # the format is the point
	printf "$rep${all:0:$2 % 256 * 4}" >"$1"
}

# has_match FILE ERE: a line of FILE matches the extended regular
# expression, as grep -Eq says; count_matching FILE ERE: REPLY is how
# many do (grep -Ec).  Read by bash, for the narrations a wait polls: a
# grep at each poll was a process.
has_match() {
	local line
	[ -r "$1" ] || return 1
	while IFS= read -r line || [ -n "$line" ]; do
		[[ ! $line =~ $2 ]] || return 0
	done <"$1"
	return 1
}

count_matching() {
	local line
	REPLY=0
	[ -r "$1" ] || return 1
	while IFS= read -r line || [ -n "$line" ]; do
		[[ ! $line =~ $2 ]] || REPLY=$((REPLY + 1))
	done <"$1"
}

# has_line_ending FILE SUFFIX: a line of FILE ends with SUFFIX, as
# grep -q 'SUFFIX$' says (SUFFIX taken as it is), read by bash.
has_line_ending() {
	local line
	[ -r "$1" ] || return 1
	while IFS= read -r line || [ -n "$line" ]; do
		[[ $line != *"$2" ]] || return 0
	done <"$1"
	return 1
}

# dir_is_empty DIR: DIR is a folder with nothing in it, not even a
# hidden name (what ls -A would show), looked at by bash.
dir_is_empty() {
	local f
	[ -d "$1" ] || return 1
	for f in "$1"/* "$1"/.[!.]* "$1"/..?*; do
		if [ -e "$f" ] || [ -L "$f" ]; then
			echo "not empty: $1 holds ${f##*/}" >&2
			return 1
		fi
	done
}

# same_bytes WANT GOT...: every GOT is a byte-for-byte copy of WANT, by
# one sha256sum over them all (a cmp for each of 40 copies was a process
# each); names each GOT that differs or cannot be read.
same_bytes() {
	local sums=() want i status=0
	mapfile -t sums < <(sha256sum -- "$@")
	if [ "${#sums[@]}" -ne $# ]; then
		echo "same_bytes: sha256sum read ${#sums[@]} of the $# files" >&2
		return 1
	fi
	want=${sums[0]%% *}
	for ((i = 1; i < $#; i++)); do
		if [ "${sums[i]%% *}" != "$want" ]; then
			echo "not a copy of $1: ${sums[i]#*  }" >&2
			status=1
		fi
	done
	return "$status"
}

# labd_start [ftp-labd options...]
# Serves $LABD_ROOT (default: a fresh folder in the test's temp dir) on
# 127.0.0.1, port chosen by the kernel.  Sets LABD_PID, LABD_PORT,
# LABD_HOST, LABD_LOG (the narration on stderr) and LABD_OUT (stdout, whose
# first line is "listening on HOST port PORT").
# Run as root (CI is), ftp-labd would drop to nobody, who may not write
# the test's folders: these tests are about FTP, so they ask to stay root
# (--stay-root, the explicit flag); tests/labd-class.bats tests the drop.
labd_start() {
	: "${LABD_ROOT:=$BATS_TEST_TMPDIR/root}"
	[ -d "$LABD_ROOT" ] || mkdir -p "$LABD_ROOT"
	LABD_LOG=$BATS_TEST_TMPDIR/labd.log
	LABD_OUT=$BATS_TEST_TMPDIR/labd.out
	local as_root=()
	[ "$EUID" -ne 0 ] || [[ " $* " == *" --user "* ]] ||
		as_root=(--stay-root)
	# the shell truncates LABD_OUT in the child, maybe after the wait
	# below has read a previous server's line: start from an empty file
	: >"$LABD_OUT"
	ftp-labd -p 0 -r "$LABD_ROOT" "${as_root[@]}" "$@" >"$LABD_OUT" 2>"$LABD_LOG" &
	LABD_PID=$!
	if ! wait_until 100 has_line "$LABD_OUT" 'listening on '; then
		echo "ftp-labd did not start; its stderr:" >&2
		cat "$LABD_LOG" >&2
		return 1
	fi
	read -r _ _ LABD_HOST _ LABD_PORT <"$LABD_OUT"
	export LABD_PID LABD_PORT LABD_HOST LABD_LOG LABD_OUT LABD_ROOT
}

# Stop what labd_start started, by PID; never waits more than 5 s.
labd_stop() {
	[ -n "${LABD_PID:-}" ] || return 0
	kill "$LABD_PID" 2>/dev/null
	wait_until 50 pid_gone "$LABD_PID" ||
		kill -9 "$LABD_PID" 2>/dev/null
	wait "$LABD_PID" 2>/dev/null
	LABD_PID=
}

# cc_table SS_FILE PID: from what `ss -tinpH state established` printed,
# a line "LOCAL PEER CC" for each TCP socket of process PID, CC being its
# congestion control (the word before wscale: in ss -i's second line).
cc_table() {
	awk -v pid="pid=$2," '
		/^[ \t]/ {
			if (keep)
				for (i = 1; i < NF; i++)
					if ($(i + 1) ~ /^wscale:/)
						print lp, pp, $i
			keep = 0
			next
		}
		{ keep = index($0, pid) > 0; lp = $3; pp = $4 }' "$1"
}

# Skip the test, with a message, when a peer program is not installed.
require() {
	local cmd
	for cmd in "$@"; do
		command -v "$cmd" >/dev/null 2>&1 ||
			skip "$cmd is not installed (.ci/run installs it)"
	done
}
