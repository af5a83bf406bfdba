#!/usr/bin/env bats
# ftp-tap's control channel against a hostile client and a hostile
# server (issue 17): a command is read as a server reads it, so Telnet
# commands cannot walk a PORT around the bounce check; a reply is read as
# the answer to the command that asked for it, so no 227, 229 or 234 is
# believed out of turn; a command line that trickles in is timed out;
# the client's bytes reach the narration only escaped.  The hostile
# client is tests/lib/hostile-client.py, the hostile server
# tests/helpers/fake-ftpd.c.

load lib/common
load lib/peers
load lib/fake	# the hostile server

setup() {
	T=$BATS_TEST_TMPDIR
}

teardown() {
	tap_stop
	labd_stop
	fake_stop
}

# tap_start SERVER_PORT [ftp-tap options...]: the tap on $TAP_PORT (a free
# port of 127.0.0.1 when unset), relaying to 127.0.0.1 SERVER_PORT.  Sets
# TAP_PID, TAP_PORT, TAP_LOG (the narration).
tap_start() {
	local port=$1
	shift
	TAP_LOG=$T/tap.log
	: >"$T/tap.out"	# (see labd_start)
	ftp-tap -p "${TAP_PORT:-0}" "$@" 127.0.0.1 "$port" >"$T/tap.out" \
		2>"$TAP_LOG" &
	TAP_PID=$!
	if ! wait_until 100 has_line "$T/tap.out" 'listening on '; then
		cat "$TAP_LOG" >&2
		return 1
	fi
	read -r _ _ _ _ TAP_PORT <"$T/tap.out"
}

tap_stop() {
	[ -n "${TAP_PID:-}" ] || return 0
	kill "$TAP_PID" 2>/dev/null
	wait_until 50 eval '! kill -0 "$TAP_PID" 2>/dev/null' ||
		kill -9 "$TAP_PID" 2>/dev/null
	wait "$TAP_PID" 2>/dev/null
	TAP_PID=
}

# hostile [-s SOURCE] < script: the hostile client through the tap.
hostile() {
	/usr/bin/python3 "$REPO_ROOT/tests/lib/hostile-client.py" "$@" \
		127.0.0.1 "$TAP_PORT"
}

# ---- defect 3: the bounce check walked around with Telnet commands ----

@test "tap-control: PORT and EPRT hidden behind Telnet commands are read as ftp-labd reads them, checked, refused" {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"
	labd_start
	tap_start "$LABD_PORT"
	# the client is 127.0.0.2; each PORT names the tap's own host, which
	# ftp-labd (seeing the tap at 127.0.0.1) would take as the client's
	run hostile -s 127.0.0.2 <<-'S'
	send b'USER anonymous\r\n'
	send b'PASS x\r\n'
	send b'\xff\xf1PORT 127,0,0,1,200,10\r\n'
	send b'PO\xff\xf1RT 127,0,0,1,200,10\r\n'
	send b'\xff\xf4\xff\xf2PORT 127,0,0,1,200,10\r\n'
	send b'\xff\xfb\x01PORT 127,0,0,1,200,10\r\n'
	send b'\xff\xf1EPRT |1|127.0.0.1|51210|\r\n'
	send b'NOOP\r\n'
	S
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c '500 Refused by ftp-tap: 127.0.0.1 is not your address 127.0.0.2 (bounce attack, RFC 2577)\.$' <<<"$output")" -eq 5 ]
	grep -q '^200 ' <<<"$output"
	# the server saw none of them; the narration shows each as read
	refute grep -q '> PORT\|> EPRT\|data:' "$LABD_LOG"
	grep -q '\] > NOOP$' "$LABD_LOG"
	[ "$(grep -c '\] data: refused 127.0.0.1 port [0-9]*: not the client.s address 127.0.0.2 (bounce attack)' "$TAP_LOG")" -eq 5 ]
	grep -q '\] > PORT 127,0,0,1,200,10$' "$TAP_LOG"
	# the client's WILL was refused (DONT), as ftp-labd refuses it
	grep -q '^\\xff\\xfe\\x01500 Refused' <<<"$output"
}

@test "tap-control: a PORT naming the tap's own port is refused: the tap would connect to itself" {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"
	labd_start
	tap_start "$LABD_PORT"
	run hostile <<-S
	send b'USER anonymous\r\n'
	send b'PASS x\r\n'
	send b'PORT 127,0,0,1,$((TAP_PORT / 256)),$((TAP_PORT % 256))\r\n'
	send b'NOOP\r\n'
	S
	[ "$status" -eq 0 ]
	grep -q "^500 Refused by ftp-tap: port $TAP_PORT is one this program listens on itself (it would connect to itself)\.\$" <<<"$output"
	refute grep -q '> PORT' "$LABD_LOG"
	grep -q "\] data: refused 127.0.0.1 port $TAP_PORT: a port this program listens on itself" "$TAP_LOG"
}

@test "tap-control: a line another server would read as PORT, PASV or AUTH but ftp-labd would not is refused by the tap" {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"
	labd_start
	tap_start "$LABD_PORT"
	# proftpd splits at a tab; vsftpd drops the CR before CRLF;
	# pyftpdlib upper-cases U+017F (long s) to S
	run hostile <<-'S'
	send b'PORT\t127,0,0,9,200,10\r\n'
	send b'PORT 127,0,0,9,200,10\r\r\n'
	send b'PA\xc5\xbfV\r\n'
	send b'  AUTH TLS\r\n'
	send b'NOOP\r\n'
	S
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^500 Refused by ftp-tap: a command the tap cannot read as every server would' <<<"$output")" -eq 4 ]
	grep -q '^200 ' <<<"$output"
	[ "$(grep -c '\] tap: refused: a server could read this line as PORT, EPRT, PASV, EPSV or AUTH' "$TAP_LOG")" -eq 4 ]
	grep -q '\] > PA\\xc5\\xbfV$' "$TAP_LOG"
	refute grep -q '> PORT\|> AUTH\|> PA' "$LABD_LOG"
}

# ---- defect 4: forged 227, 229 and 234 ----

@test "tap-control: a reply line ends at CRLF only: a LF inside a server's reply cannot make a 227" {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"
	# pyftpdlib echoes a path with LF in its 257; here the fake does
	fake_start <<-'F'
	reply 220 fake
	read
	reply 257 "a\n227 Entering Passive Mode (127,0,0,1,4,1)" created.
	read
	reply 221 bye
	F
	tap_start "$FAKE_PORT"
	run hostile <<-'S'
	send b'MKD a\r\n'
	send b'QUIT\r\n'
	S
	echo "$output"
	[ "$status" -eq 0 ]
	# one line through, unchanged; the tap did not listen for a 227
	grep -q '^227 Entering Passive Mode (127,0,0,1,4,1)" created\.$' <<<"$output"
	grep -q '\] < 257 "a\\x0a227 Entering Passive Mode (127,0,0,1,4,1)" created\.$' "$TAP_LOG"
	refute grep -q '=>\|data: listening' "$TAP_LOG"
}

@test "tap-control: a 227 that answers no PASV is relayed unchanged and not followed" {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"
	fake_start <<-'F'
	reply 220 fake
	read
	reply 227 Entering Passive Mode (127,0,0,1,200,10).
	read
	reply 221 bye
	F
	tap_start "$FAKE_PORT"
	run hostile <<-'S'
	send b'NOOP\r\n'
	send b'QUIT\r\n'
	S
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^227 Entering Passive Mode (127,0,0,1,200,10)\.$' <<<"$output"
	grep -q '\] data: this 227 answers no PASV: relayed unchanged, not followed$' "$TAP_LOG"
	refute grep -q '=>\|data: listening' "$TAP_LOG"
}

@test "tap-control: a 227 or 229 naming a system port or the tap's own port is refused towards the client (425)" {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"
	TAP_PORT=$(free_port)
	fake_start <<-F
	reply 220 fake
	read
	reply 227 Entering Passive Mode (127,0,0,1,3,231).
	read
	reply 229 Entering Extended Passive Mode (|||$TAP_PORT|)
	read
	reply 221 bye
	F
	tap_start "$FAKE_PORT"
	run hostile <<-'S'
	send b'PASV\r\n'
	send b'EPSV\r\n'
	send b'QUIT\r\n'
	S
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^425 Refused by ftp-tap: the server.s 227 names 127.0.0.1 port 999, a system port below 1024; the tap does not connect there\.$' <<<"$output"
	grep -q "^425 Refused by ftp-tap: the server.s 229 names 127.0.0.1 port $TAP_PORT, a port of ftp-tap.s own; the tap does not connect there\.$" <<<"$output"
	grep -q '\] data: refused 127.0.0.1 port 999: a system port below 1024$' "$TAP_LOG"
	grep -q "\] data: refused 127.0.0.1 port $TAP_PORT: a port of ftp-tap.s own$" "$TAP_LOG"
	refute grep -q '=>\|data: listening' "$TAP_LOG"
}

@test "tap-control: --ladder draws a reply the tap kept from the client as a note, never as an arrow to the client" {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"
	fake_start <<-'F'
	reply 220 fake
	read
	reply 227 Entering Passive Mode (127,0,0,1,3,231).
	read
	reply 221 bye
	F
	tap_start "$FAKE_PORT" --ladder
	run hostile <<-'S'
	send b'PASV\r\n'
	send b'QUIT\r\n'
	S
	[ "$status" -eq 0 ]
	wait_until 50 grep -q ' closed$' "$TAP_LOG"
	cat "$TAP_LOG"
	# (the row is cut at 80 columns)
	grep -qF '|         |         server: 227 Entering Passive Mode (127,0,0,1,3,2' "$TAP_LOG"
	grep -qF '|<--------|         425 Refused by ftp-tap' "$TAP_LOG"
	refute grep -qF '|<--------|         227' "$TAP_LOG"
}

@test "tap-control: a 227 or 229 to the pending PASV or EPSV that the tap cannot rewrite is refused (425), never relayed for the client to follow" {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"
	# several lines, the address on the first; an address curl and
	# ftplib would find (six numbers in the line) that the tap cannot read
	fake_start <<-'F'
	reply 220 fake
	read
	reply 227-Entering Passive Mode (127,0,0,1,3,231).
	reply 227 ok
	read
	reply 229-Entering Extended Passive Mode (|||999|)
	reply 229 ok
	read
	reply 227 Entering Passive Mode v2 (127,0,0,1,200,10).
	read
	reply 221 bye
	F
	tap_start "$FAKE_PORT"
	run hostile <<-'S'
	send b'PASV\r\n'
	send b'EPSV\r\n'
	send b'PASV\r\n'
	send b'QUIT\r\n'
	S
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "^425 Refused by ftp-tap: the server's 227 came in several lines, which the tap cannot rewrite\.$" <<<"$output"
	grep -q "^425 Refused by ftp-tap: the server's 229 came in several lines, which the tap cannot rewrite\.$" <<<"$output"
	grep -q "^425 Refused by ftp-tap: the server's 227 cannot be read: " <<<"$output"
	# not a line of the server's three replies reached the client
	refute grep -q 'Entering\|ok$' <<<"$output"
	grep -q '\] server: 227-Entering Passive Mode (127,0,0,1,3,231)\. (not sent on)$' "$TAP_LOG"
	refute grep -q '\] < 22[79]' "$TAP_LOG"
	grep -q '\] data: a 227 of several lines: the tap rewrites only a one-line 227; refused$' "$TAP_LOG"
	grep -q '\] data: cannot read the address of the 227 (.*): refused$' "$TAP_LOG"
	refute grep -q '=>\|data: listening' "$TAP_LOG"
}

@test "tap-control: a 227 on an IPv6 tap is refused (425), not relayed" {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"
	labd_start
	TAP_LOG=$T/tap.log
	ftp-tap -p 0 -l ::1 127.0.0.1 "$LABD_PORT" >"$T/tap.out" 2>"$TAP_LOG" &
	TAP_PID=$!
	wait_until 100 has_line "$T/tap.out" 'listening on '
	read -r _ _ _ _ TAP_PORT <"$T/tap.out"
	run /usr/bin/python3 "$REPO_ROOT/tests/lib/hostile-client.py" ::1 \
		"$TAP_PORT" <<-'S'
	send b'USER anonymous\r\n'
	send b'PASS x\r\n'
	send b'PASV\r\n'
	send b'QUIT\r\n'
	S
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^425 Refused by ftp-tap: a 227 cannot name this IPv6 address (use EPSV)\.$' <<<"$output"
	refute grep -q '^227 ' <<<"$output"
	grep -q '\] data: a 227 cannot name this IPv6 tap: refused$' "$TAP_LOG"
}

@test "tap-control: a 227 naming another session's data port is refused (425): the tap never joins its own connection to a client" {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"
	/usr/bin/python3 "$REPO_ROOT/tests/lib/echo-port-server.py" 30 \
		>"$T/echo.out" 2>&1 &
	FAKE_PID=$!
	wait_until 100 has_line "$T/echo.out" 'listening on '
	read -r _ _ _ _ echo_port <"$T/echo.out"
	tap_start "$echo_port"
	# session 1, active: the tap listens for the server's data connection
	# and names that port in the PORT it sends on
	exec 7<>"/dev/tcp/127.0.0.1/$TAP_PORT"
	read -r -t 10 line <&7
	printf 'PORT 127,0,0,1,200,10\r\n' >&7
	read -r -t 10 line <&7
	[[ $line == 200* ]]
	# session 2: the server's 227 names session 1's data port
	run hostile <<-'S'
	send b'PASV\r\n'
	send b'QUIT\r\n'
	S
	echo "$output"
	grep -q "^425 Refused by ftp-tap: the server's 227 names 127.0.0.1 port [0-9]*, a port of ftp-tap's own; the tap does not connect there\.$" <<<"$output"
	grep -q "\] data: refused 127.0.0.1 port [0-9]*: a port of ftp-tap's own$" "$TAP_LOG"
	refute grep -q '=> 227\|data: connecting' "$TAP_LOG"
	exec 7>&-
}

@test "tap-control: a 229 naming the tap's own web view is refused (425)" {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"
	web_port=$(free_port)
	fake_start <<-F
	reply 220 fake
	read
	reply 229 Entering Extended Passive Mode (|||$web_port|)
	read
	reply 221 bye
	F
	tap_start "$FAKE_PORT" --web "127.0.0.1:$web_port"
	wait_until 100 has_line "$T/tap.out" 'web view: '
	run hostile <<-'S'
	send b'EPSV\r\n'
	send b'QUIT\r\n'
	S
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "^425 Refused by ftp-tap: the server's 229 names 127.0.0.1 port $web_port, a port of ftp-tap's own; the tap does not connect there\.$" <<<"$output"
	refute grep -q 'data: connecting' "$TAP_LOG"
}

@test "tap-control: a 234 that answers no AUTH does not stop the tap reading (the bounce check stays on)" {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"
	fake_start <<-'F'
	reply 220 fake
	read
	reply 500 no TLS here
	read
	reply 234 forged
	read
	reply 200 NOOP ok
	read
	reply 221 bye
	F
	tap_start "$FAKE_PORT"
	run hostile <<-'S'
	send b'AUTH TLS\r\n'
	send b'NOOP\r\n'
	send b'PORT 127,0,0,9,200,10\r\n'
	send b'NOOP\r\n'
	send b'QUIT\r\n'
	S
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^500 Refused by ftp-tap: 127.0.0.9 is not your address 127.0.0.1 (bounce attack, RFC 2577)\.$' <<<"$output"
	grep -q '\] tls: this 234 answers no AUTH: the tap goes on reading the control channel$' "$TAP_LOG"
	refute grep -q 'TLS from here on' "$TAP_LOG"
	fake_wait
	cat "$FAKE_LOG"
	refute grep -q 'PORT' "$FAKE_LOG"
}

# ---- defect 5: a command line trickling in ----

@test "tap-control: a command line that does not end within --idle-timeout gets 421, however its bytes trickle in" {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"
	labd_start
	tap_start "$LABD_PORT" --idle-timeout 2
	run hostile <<-'S'
	trickle 0.5 NOOP
	S
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^421 Timeout (2 seconds) reading a command line: closing control connection\.$' <<<"$output"
	grep -q '\] the client began a command line and did not end it within 2 seconds; 421 to the client$' "$TAP_LOG"
}

@test "tap-control: Telnet commands alone, or a line over the cap in pieces, do not hold a session past --idle-timeout (421)" {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"
	labd_start
	tap_start "$LABD_PORT" --idle-timeout 2
	# IAC NOP twice a second: no line ever starts
	run hostile <<-'S'
	drip 0.5 1 b'\xff\xf1'
	S
	echo "$output"
	grep -q '^421 Timeout (2 seconds) reading a command line: closing control connection\.$' <<<"$output"
	# a subnegotiation that never ends
	run hostile <<-'S'
	drip 0.5 1 b'\xff\xfa\x18x'
	S
	echo "$output"
	grep -q '^421 Timeout (2 seconds) reading a command line' <<<"$output"
	# a line that never ends, in pieces of exactly the cap (4096 bytes)
	run hostile <<-'S'
	drip 0.5 4096 b'A'
	S
	echo "$output"
	grep -q '^421 Timeout (2 seconds) reading a command line' <<<"$output"
	[ "$(grep -c 'did not end it within 2 seconds; 421 to the client$' "$TAP_LOG")" -eq 3 ]
}

# ---- defect 6: the client's bytes in the tap's own words ----

@test "tap-control: the tap's own replies and data: lines show the client's bytes escaped" {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"
	labd_start
	tap_start "$LABD_PORT"
	run hostile <<-'S'
	send b'EPRT |1|\x1b[2J\x1b]0;owned\x07|5000|\r\n'
	send b'NOOP\r\n'
	S
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^501 Bad EPRT argument: ' <<<"$output"
	cat -v "$TAP_LOG"
	refute grep -q $'\033' "$TAP_LOG"
	refute grep -q $'\a' "$TAP_LOG"
	grep -q '\] data: cannot read the EPRT argument: .*\\x1b\[2J\\x1b\]0;owned\\x07' "$TAP_LOG"
	grep -q '\] < 501 Bad EPRT argument: .*\\x1b\[2J.* (from the tap)$' "$TAP_LOG"
}

# ---- the ladder's end table and Ctrl-C in lab 13's pipeline ----

@test "tap-control: Ctrl-C in lab 13's own pipeline (ftp-tap --ladder | tee) keeps the end table, complete and the right way" {
	require curl
	# the pipe and tee exactly as lab 13 writes them for the ladder
	pipe=$(grep -o -- '--ladder .* 2>&1 | tee[^~]*' "$REPO_ROOT/labs/13-watch-through-tap/README.md" |
		sed 's/^.* 2>&1 |/|/')
	echo "lab 13's pipe: $pipe"
	[[ $pipe == "| tee"* ]]
	labd_start
	# a process group of its own, as a terminal's job: Ctrl-C is SIGINT
	# to every process of the group
	setsid bash -c "ftp-tap -p 0 --ladder 127.0.0.1 $LABD_PORT 2>&1 $pipe '$T/ladder.log'" &
	group=$!
	wait_until 100 has_line "$T/ladder.log" 'listening on '
	port=$(sed -n 's/^listening on .* port //p' "$T/ladder.log")
	# a passive and an active download, each a session
	printf 'lane\n' >"$LABD_ROOT/f.txt"
	curl -sS --max-time 20 -o "$T/pasv.txt" "ftp://127.0.0.1:$port/f.txt"
	curl -sS --max-time 20 -P 127.0.0.1 --disable-eprt -o "$T/port.txt" "ftp://127.0.0.1:$port/f.txt"
	cmp "$T/pasv.txt" "$LABD_ROOT/f.txt"
	cmp "$T/port.txt" "$LABD_ROOT/f.txt"
	wait_until 50 eval '[ "$(grep -c " closed$" "$T/ladder.log")" -ge 2 ]'
	kill -INT -- "-$group"
	wait_until 100 eval '! kill -0 -- "-$group" 2>/dev/null' ||
		kill -KILL -- "-$group" 2>/dev/null
	wait "$group" 2>/dev/null || true
	cat "$T/ladder.log"
	grep -q '^== 8 connections: who connected from where to where ==$' "$T/ladder.log"
	# both control legs: the client's to the tap, the tap's to the server
	grep -Eq '^ \[1\] +control +client 127\.0\.0\.1:[0-9]+ +-> tap 127\.0\.0\.1:'"$port"'$' "$T/ladder.log"
	grep -Eq '^ \[1\] +control +tap 127\.0\.0\.1:[0-9]+ +-> server 127\.0\.0\.1:'"$LABD_PORT"'$' "$T/ladder.log"
	# both data legs, each the right way, with their ports: passive,
	# the client to the tap's port and the tap onward to the server's;
	# active, the server to the tap's port and the tap to the client's
	grep -Eq '^ \[1\] +data EPSV +client 127\.0\.0\.1:[0-9]+ +-> tap 127\.0\.0\.1:[0-9]+$' "$T/ladder.log"
	grep -Eq '^ \[1\] +data EPSV +tap 127\.0\.0\.1:[0-9]+ +-> server 127\.0\.0\.1:[0-9]+$' "$T/ladder.log"
	grep -Eq '^ \[2\] +data PORT +server 127\.0\.0\.1:[0-9]+ +-> tap 127\.0\.0\.1:[0-9]+$' "$T/ladder.log"
	grep -Eq '^ \[2\] +data PORT +tap 127\.0\.0\.1:[0-9]+ +-> client 127\.0\.0\.1:[0-9]+$' "$T/ladder.log"
	refute grep -q 'data ?\|:?' "$T/ladder.log"
	# the data lane: opened with the tap's port, the client's connect
	# drawn from the client's lane to it
	grep -Eq '\+:[0-9]+ the tap.s data port$' "$T/ladder.log"
	grep -Eq '\|-+>\|  connect from 127\.0\.0\.1:[0-9]+$' "$T/ladder.log"
	grep -q 'stopped$' "$T/ladder.log"
}
