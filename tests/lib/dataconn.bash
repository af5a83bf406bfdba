# dataconn.bash - helpers for the ftp-dataconn tests: `load lib/dataconn`
# (after lib/common).
#
# Every process started here is remembered and killed by its PID in
# dc_cleanup (call it from teardown); every wait is bounded.
# shellcheck disable=SC2034 # the variables set here are for the tests

DC_PIDS=()

# The transfer sizes every data-channel test uses, in folder $1:
# 0.bin, 1.bin, 1m.bin and 100m.bin of random bytes.
dc_make_files() {
	local d=$1
	: >"$d/0.bin"
	head -c 1 /dev/urandom >"$d/1.bin"
	head -c 1048576 /dev/urandom >"$d/1m.bin"
	head -c 104857600 /dev/urandom >"$d/100m.bin"
}

# Kill what the helpers (and the test, via dc_remember) started.
dc_cleanup() {
	local pid
	for pid in "${DC_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${DC_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	DC_PIDS=()
}

dc_remember() { DC_PIDS+=("$@"); }

# Waits (at most 10 s) for background process $1; its status in DC_STATUS
# (one still running then is killed: 137, never a hung suite).
dc_wait() {
	local i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$1" 2>/dev/null || break
		nap 0.1
	done
	kill -0 "$1" 2>/dev/null && kill -9 "$1"
	DC_STATUS=0
	wait "$1" || DC_STATUS=$?
}

# The data port named by a "PORT h1,h2,h3,h4,p1,p2" or "EPRT |af|a|p|"
# line, computed here independently of the programs under test.
dc_port_of() {
	local line=$1 n
	case $line in
	"PORT "*)
		IFS=, read -r -a n <<<"${line#PORT }"
		echo $((n[4] * 256 + n[5])) ;;
	"EPRT "*)
		IFS='|' read -r -a n <<<"${line#EPRT }"
		echo "${n[3]}" ;;
	*) return 1 ;;
	esac
}

# dc_listen [ftp-dataconn options...] < in > out
# Starts `ftp-dataconn -l --announce FILE OPTIONS` in the background with
# the caller's stdin and stdout; sets DC_PID, DC_LINE (the PORT or EPRT
# line), DC_PORT and DC_ERR (its stderr file).
dc_listen() {
	local ann=$BATS_TEST_TMPDIR/announce.$RANDOM
	DC_ERR=$BATS_TEST_TMPDIR/listen.err
	# <&0: without an explicit redirection a background job's stdin
	# would be /dev/null
	ftp-dataconn -l --announce "$ann" "$@" <&0 2>"$DC_ERR" &
	DC_PID=$!
	dc_remember "$DC_PID"
	if ! wait_until 100 test -s "$ann"; then
		cat "$DC_ERR" >&2
		return 1
	fi
	DC_LINE=$(cat "$ann")
	DC_PORT=$(dc_port_of "$DC_LINE")
}

# peer_listen [-6] MODE [FILE]: starts stream-peer (tests/helpers); sets
# SP_PID, SP_PORT and SP_OUT (its stdout).
peer_listen() {
	SP_OUT=$BATS_TEST_TMPDIR/peer.out.$RANDOM
	"$RAWFTP_TESTBIN/stream-peer" -t 20 "$@" >"$SP_OUT" &
	SP_PID=$!
	dc_remember "$SP_PID"
	wait_until 100 has_line "$SP_OUT" 'listening on ' || return 1
	SP_PORT=$(head -n 1 "$SP_OUT" | awk '{print $5}')
}

# ---- the control channel, by hand over bash's /dev/tcp (fd 7) ----

# ctl_open PORT [HOST]: connect and read the greeting.
ctl_open() {
	exec 7<>"/dev/tcp/${2:-127.0.0.1}/$1" || return 1
	ctl_reply
}

# Reads one whole reply (multi-line aware, RFC 959 4.2) within 10 s: the
# last line in CTL_REPLY, the code in CTL_CODE.
ctl_reply() {
	local line code
	IFS= read -r -t 10 line <&7 || return 1
	line=${line%$'\r'}
	code=${line:0:3}
	if [ "${line:3:1}" = - ]; then
		while IFS= read -r -t 10 line <&7; do
			line=${line%$'\r'}
			[[ $line == "$code "* ]] && break
		done
	fi
	CTL_REPLY=$line
	CTL_CODE=${line:0:3}
}

ctl_send() { printf '%s\r\n' "$*" >&7; }
ctl_cmd() { ctl_send "$@" && ctl_reply; }

# ctl_expect CODE: the last reply had this code, else say what it was.
ctl_expect() {
	[ "$CTL_CODE" = "$1" ] && return 0
	echo "expected a $1 reply, got: $CTL_REPLY" >&2
	return 1
}

ctl_login() {
	ctl_cmd USER anonymous && ctl_cmd PASS test@ && ctl_expect 230 &&
		ctl_cmd TYPE I && ctl_expect 200
}

ctl_close() {
	ctl_cmd QUIT
	exec 7>&-
}

# ctl_pasv: PASV; sets DATA_HOST and DATA_PORT from the 227 reply.
ctl_pasv() {
	ctl_cmd PASV && ctl_expect 227 || return 1
	read -r DATA_HOST DATA_PORT < <(ftp-pasv-calc "$CTL_REPLY")
}
