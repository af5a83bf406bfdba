#!/usr/bin/env bats
# Issue 11, defect 4: ABOR (and STAT) typed during a transfer go out at
# once, after Telnet IP and Synch (IAC IP, then IAC DM with the urgent
# mark), even in lock-step mode (RFC 959 section 4.1.3).  Each server is
# caught mid-RETR: the data side takes a few bytes and then stops reading,
# so the server is stuck sending when the ABOR comes.

load lib/common
load lib/peers
bats_require_minimum_version 1.5.0

teardown() {
	[ -n "${DATA_PID:-}" ] && kill "$DATA_PID" 2>/dev/null
	[ -n "${RAW_PID:-}" ] && kill "$RAW_PID" 2>/dev/null
	exec 7>&- 8<&-
	labd_stop
	peer_stop
}

# mid_transfer ROOT PORT VERB...: RETR big.bin from 127.0.0.1:PORT, the
# data side stalled; once 150 is shown, types the VERBs and QUIT ("(reply)"
# among them waits for the next reply before typing on).  Sets
# RAW_STATUS; the replies are in $T/replies, the -v trace in $T/trace.
mid_transfer() {
	local root=$1 port=$2
	shift 2
	T=$BATS_TEST_TMPDIR
	truncate -s 1G "$root/big.bin"
	mkfifo "$T/ctl" "$T/data"
	ftp-raw -v -w "${ABOR_WAIT:-10}" 127.0.0.1 "$port" <"$T/ctl" >"$T/replies" 2>"$T/trace" &
	RAW_PID=$!
	exec 7>"$T/ctl"
	printf 'USER anonymous\nPASS guest@example.com\nTYPE I\nPASV\nRETR big.bin\n' >&7
	wait_until 100 has_line "$T/replies" '227 '
	line_after "$T/replies" '227 '
	read -r host dport < <(ftp-pasv-calc "227 $REPLY")
	ftp-dataconn -r -w 20 "$host" "$dport" >"$T/data" 2>/dev/null &
	DATA_PID=$!
	exec 8<"$T/data"	# opened, never read: the pipe fills, then the socket
	wait_until 100 has_line "$T/replies" '150 '
	# bytes flow: the transfer is under way (pyftpdlib answers an ABOR
	# that comes before its data connection is up with 225 alone)
	head -c 65536 <&8 >/dev/null
	local verb got=0
	for verb in "$@" QUIT; do
		if [ "$verb" = "(reply)" ]; then	# wait for one more reply
			got=$((got + 1))
			wait_until 100 final_replies_at_least "$got" || true
			continue
		fi
		printf '%s\n' "$verb" >&7
	done
	exec 7>&-
	# a client stops its data side once the server says the transfer is
	# over (proftpd waits for that before it reads the ABOR line); a reply
	# to a STAT is not that, and closing then would make the server's 426
	# a write failure instead of the ABOR's answer
	wait_until $((${ABOR_WAIT:-10} * 10 + 10)) transfer_said_over || true
	exec 8<&-
	RAW_STATUS=0
	wait "$RAW_PID" || RAW_STATUS=$?
	RAW_PID=
	cat "$T/trace" "$T/replies"
}

# codes_after_150: REPLY is the codes of the replies after the first 150,
# one line ("426 226 221 "); read by bash, as the waits poll it (a sed,
# grep and tr at each poll were processes).
codes_after_150() {
	local line seen=
	REPLY=
	while IFS= read -r line; do
		if [ -z "$seen" ]; then
			[[ $line != 150* ]] || seen=1
		elif [[ $line =~ ^([0-9]{3})\  ]]; then
			REPLY+="${BASH_REMATCH[1]} "
		fi
	done <"$BATS_TEST_TMPDIR/replies"
}

# final_replies_at_least N: N final replies (2xx to 5xx) after the 150.
final_replies_at_least() {
	local code n=0
	codes_after_150
	for code in $REPLY; do
		[[ $code != [2-5]* ]] || n=$((n + 1))
	done
	[ "$n" -ge "$1" ]
}

# transfer_said_over: after the 150, the server said the transfer is over
# (426, 225, 226, or the 221 to QUIT).
transfer_said_over() {
	codes_after_150
	[[ " $REPLY" =~ \ (426|225|226|221)\  ]]
}

# The ABOR went out at once, marked, and the session ended with 221.
abor_was_urgent() {
	[ "$RAW_STATUS" -eq 0 ]
	grep -q '^---> ABOR   (after Telnet IP and Synch, urgent)$' "$BATS_TEST_TMPDIR/trace"
}

@test "abort: vsftpd (async_abor_enable) mid-RETR: ABOR with IP and Synch gets 426, then 226" {
	vsftpd_start async_abor_enable=YES
	mid_transfer "$PEER_ROOT" "$PEER_PORT" ABOR
	abor_was_urgent
	codes_after_150
	[ "$REPLY" = "426 226 221 " ]
}

# vsftpd's default (async_abor_enable=NO) ignores the urgent mark: it reads
# the ABOR only once the transfer has ended.  ftp-raw's -w, which sleeps
# during a transfer, counts again once ABOR is out, so the wait is bounded.
@test "abort: vsftpd (default) does not answer ABOR mid-RETR: -w bounds the wait (75)" {
	vsftpd_start
	ABOR_WAIT=2 mid_transfer "$PEER_ROOT" "$PEER_PORT" ABOR
	[ "$RAW_STATUS" -eq 75 ]
	grep -q '^---> ABOR   (after Telnet IP and Synch, urgent)$' "$BATS_TEST_TMPDIR/trace"
	grep -q "no complete reply from 127.0.0.1 in 2 seconds" "$BATS_TEST_TMPDIR/trace"
}

@test "abort: proftpd mid-RETR: ABOR with IP and Synch gets 426, then 226" {
	proftpd_start
	mid_transfer "$PEER_ROOT" "$PEER_PORT" ABOR
	abor_was_urgent
	codes_after_150
	[ "$REPLY" = "426 226 221 " ]
}

@test "abort: pyftpdlib mid-RETR: ABOR with IP and Synch gets 426, then 226" {
	pyftpdlib_start
	mid_transfer "$PEER_ROOT" "$PEER_PORT" ABOR
	abor_was_urgent
	codes_after_150
	[ "$REPLY" = "426 226 221 " ]
}

@test "abort: ftp-labd mid-RETR: ABOR with IP and Synch gets 426, then 226" {
	labd_start
	mid_transfer "$LABD_ROOT" "$LABD_PORT" ABOR
	abor_was_urgent
	codes_after_150
	[ "$REPLY" = "426 226 221 " ]
}

# STAT during a transfer: RFC 959 says it goes with IP and Synch, and the
# server answers with the transfer's status while it goes on.  ftp-labd and
# pyftpdlib do; proftpd takes any urgent mark as an abort; vsftpd's
# urgent-data handler knows only ABOR.
@test "abort: ftp-labd mid-RETR: STAT gets the status (213), the transfer goes on to the ABOR" {
	labd_start
	mid_transfer "$LABD_ROOT" "$LABD_PORT" STAT ABOR
	grep -q '^---> STAT   (after Telnet IP and Synch, urgent)$' "$BATS_TEST_TMPDIR/trace"
	abor_was_urgent
	codes_after_150
	[ "$REPLY" = "213 426 226 221 " ]
}

@test "abort: pyftpdlib mid-RETR: STAT gets the status (211), the transfer goes on to the ABOR" {
	pyftpdlib_start
	mid_transfer "$PEER_ROOT" "$PEER_PORT" STAT ABOR
	abor_was_urgent
	grep -q '^ Data connection open:' "$BATS_TEST_TMPDIR/replies"
	codes_after_150
	[ "$REPLY" = "211 426 226 221 " ]
}

@test "abort: proftpd mid-RETR: an urgent STAT aborts the transfer (426), then gets 211" {
	proftpd_start
	mid_transfer "$PEER_ROOT" "$PEER_PORT" STAT ABOR
	[ "$RAW_STATUS" -eq 0 ]
	codes_after_150
	[ "$REPLY" = "426 211 226 221 " ]
}

# vsftpd reads one line per urgent mark, and TCP keeps only the latest
# mark: a STAT and an ABOR sent together can lose the ABOR's.  So the ABOR
# waits for the STAT's answer, as a person at the keyboard would.
@test "abort: vsftpd (async_abor_enable) mid-RETR: an urgent STAT gets 500" {
	vsftpd_start async_abor_enable=YES
	mid_transfer "$PEER_ROOT" "$PEER_PORT" STAT "(reply)" ABOR
	abor_was_urgent
	codes_after_150
	[ "$REPLY" = "500 426 226 221 " ]
}
