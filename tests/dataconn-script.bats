#!/usr/bin/env bats
# Issue 11: ftp-dataconn in scripts.  An upload cut short is an error
# (defect 5); --go holds an upload until the server has accepted it
# (defect 2, against pyftpdlib, which drops data that comes too early);
# HOST:PORT as one word; binary data refused on a terminal; a 220 on the
# data side named.

load lib/common
load lib/dataconn
load lib/peers
bats_require_minimum_version 1.5.0

setup() {
	T=$BATS_TEST_TMPDIR
}

teardown() {
	exec 6>&- 2>/dev/null
	dc_cleanup
	peer_stop
	labd_stop
}

@test "dataconn-script: the server closes while stdin still has bytes: exit 74, with the bytes sent" {
	# the peer takes what comes, then closes
	dc_listen -r >"$T/got" </dev/null
	mkfifo "$T/in"
	exec 6<>"$T/in"
	head -c 5000 /dev/zero >&6	# stdin stays open: more is to come
	ftp-dataconn 127.0.0.1 "$DC_PORT" <"$T/in" >/dev/null 2>"$T/err" &
	pid=$!
	dc_remember "$pid"
	wait_until 300 size_at_least "$T/got" 5000
	kill "$DC_PID"
	dc_wait "$pid"
	echo "status $DC_STATUS: $(cat "$T/err")"
	[ "$DC_STATUS" -eq 74 ]
	[ "$(cat "$T/err")" = "ftp-dataconn: the server closed the connection after 5000 bytes sent, before the end of stdin" ]
}

@test "dataconn-script: a writer that sent everything but closes its end a little late is not a cut upload" {
	# the peer takes what comes and closes once it has it all; stdin's
	# writer has written everything and ends right as the server closes
	# (before or just after: ftp-dataconn waits half a second for it), as
	# `printf ... | ftp-dataconn` does on a loaded machine
	dc_listen -r >"$T/got" </dev/null
	mkfifo "$T/in"
	exec 6<>"$T/in"
	printf 'QUIT\n' >&6
	# 6>&-: the test's end of the FIFO is the only writer
	ftp-dataconn 127.0.0.1 "$DC_PORT" <"$T/in" >/dev/null 2>"$T/err" 6>&- &
	pid=$!
	dc_remember "$pid"
	wait_until 300 size_at_least "$T/got" 5
	kill "$DC_PID"
	exec 6>&-
	dc_wait "$pid"
	cat "$T/err"
	[ "$DC_STATUS" -eq 0 ]
	[ "$(cat "$T/got")" = QUIT ]
}

@test "dataconn-script: -s and the server closes first: exit 74, with the bytes sent" {
	dc_listen -r >"$T/got" </dev/null
	mkfifo "$T/in"
	exec 6<>"$T/in"		# stdin never ends; its 3000 bytes are in already
	head -c 3000 /dev/zero >&6
	ftp-dataconn -s 127.0.0.1 "$DC_PORT" <"$T/in" 2>"$T/err" &
	pid=$!
	dc_remember "$pid"
	# the server closes once it holds every byte
	wait_until 300 size_at_least "$T/got" 3000
	kill "$DC_PID"
	dc_wait "$pid"
	cat "$T/err"
	[ "$DC_STATUS" -eq 74 ]
	[[ $(cat "$T/err") == *"after 3000 bytes sent"* ]]
}

@test "dataconn-script: a download with stdin left open still ends with 0 when the server closes" {
	dc_listen -s <<<"hello" >/dev/null
	mkfifo "$T/in"
	exec 6<>"$T/in"		# held open, never written: stdin never ends
	run ftp-dataconn 127.0.0.1 "$DC_PORT" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
}

@test "dataconn-script: HOST:PORT and [V6]:PORT, as ftp-pasv-calc -f colon prints them" {
	dc_listen -r >"$T/got" </dev/null
	addr=$(ftp-pasv-calc -f colon --port 127.0.0.1 "$DC_PORT" >/dev/null; \
		ftp-pasv-calc -f colon "$(ftp-pasv-calc --port 127.0.0.1 "$DC_PORT" | sed 's/^PORT /227 (/; s/$/)/')")
	[ "$addr" = "127.0.0.1:$DC_PORT" ]
	echo data | ftp-dataconn "$addr"
	dc_wait "$DC_PID"
	[ "$(cat "$T/got")" = data ]
	run --separate-stderr ftp-dataconn ::1:21
	[ "$status" -eq 64 ]
	[[ $stderr == *"an IPv6 address goes in brackets: [::1]:PORT"* ]]
	ftp-dataconn -6 -l -w 1 2>/dev/null </dev/null || [ $? -eq 75 ] ||
		skip "no IPv6 loopback here"
	dc_listen -6 -r >"$T/got6" </dev/null
	echo six | ftp-dataconn "[::1]:$DC_PORT"
	dc_wait "$DC_PID"
	[ "$(cat "$T/got6")" = six ]
}

@test "dataconn-script: binary data is not poured onto a terminal; --force does; text is fine" {
	require script
	printf 'PK\003\004' >"$T/bin"	# a zip file's first bytes: no NUL
	head -c 1000 /dev/urandom >>"$T/bin"
	dc_listen -s <"$T/bin" >/dev/null
	run script -qec "ftp-dataconn -r 127.0.0.1 $DC_PORT; echo \"exit \$?\"" /dev/null </dev/null
	echo "$output"
	[[ $output == *"ftp-dataconn: binary data, and stdout is a terminal: redirect it (> FILE), or give --force"* ]]
	[[ $output == *"exit 64"* ]]
	dc_listen -s <"$T/bin" >/dev/null
	run script -qec "ftp-dataconn -r --force 127.0.0.1 $DC_PORT >/dev/null; echo \"exit \$?\"" /dev/null </dev/null
	[[ $output == *"exit 0"* ]]
	# a listing is text: it goes to the terminal as before
	printf 'drwxr-xr-x 2 ftp ftp 4096 Jan 1 00:00 pub\r\n' >"$T/list"
	dc_listen -s <"$T/list" >/dev/null
	run script -qec "ftp-dataconn -r 127.0.0.1 $DC_PORT; echo \"exit \$?\"" /dev/null </dev/null
	[[ $output == *"pub"* ]]
	[[ $output == *"exit 0"* ]]
}

@test "dataconn-script: a 220 greeting on the data side: the control port was given, said so" {
	labd_start
	run --separate-stderr timeout 10 ftp-dataconn -r -w 2 127.0.0.1 "$LABD_PORT"
	echo "$stderr"
	[[ $output == "220 "* ]]
	[[ ${stderr_lines[0]} == "ftp-dataconn: warning: this looks like an FTP greeting (220): that is the control port; the data port is the one the 227 or 229 reply names" ]]
}

# ---- --go (defect 2) ----

# The active upload against pyftpdlib, which connects as soon as PORT
# arrives and drops a data connection whose bytes come before STOR.  The
# commands come at a person's pace: STOR a moment after PORT.
@test "dataconn-script: pyftpdlib, active upload with --go: the bytes wait for 150, 226, all there" {
	pyftpdlib_start
	head -c 200000 /dev/urandom >"$T/up.bin"
	mkfifo "$T/replies" "$T/ctl"
	ftp-dataconn -l -s -w 20 --go "$T/replies" --announce "$T/port" <"$T/up.bin" 2>"$T/dc.err" &
	dpid=$!
	dc_remember "$dpid"
	ftp-raw -w 20 127.0.0.1 "$PEER_PORT" <"$T/ctl" | tee "$T/log" >"$T/replies" &
	rpid=$!
	dc_remember "$rpid"
	exec 6>"$T/ctl"
	printf 'USER anonymous\nPASS x@y\nTYPE I\n' >&6
	wait_until 100 test -s "$T/port"
	cat "$T/port" >&6
	wait_until 100 grep -q '^200 Active' "$T/log"
	sleep 0.5	# the pace of a person typing
	printf 'STOR up.bin\nQUIT\n' >&6
	exec 6>&-
	dc_wait "$dpid"
	cat "$T/log" "$T/dc.err"
	[ "$DC_STATUS" -eq 0 ]
	grep -q '^226 ' "$T/log"
	cmp "$T/up.bin" "$PEER_ROOT/up.bin"
}

@test "dataconn-script: --go and a refused STOR (550): nothing is sent, exit 1, the reply named" {
	labd_start --read-only
	mkfifo "$T/replies"
	ftp-dataconn -l -s -w 20 --go "$T/replies" --announce "$T/port" <<<"data" 2>"$T/dc.err" &
	dpid=$!
	dc_remember "$dpid"
	wait_until 100 test -s "$T/port"
	{ printf 'USER anonymous\nPASS x@y\n'; cat "$T/port"; printf 'STOR up.txt\nQUIT\n'; } |
		ftp-raw -w 20 127.0.0.1 "$LABD_PORT" | tee "$T/log" >"$T/replies"
	dc_wait "$dpid"
	cat "$T/log" "$T/dc.err"
	[ "$DC_STATUS" -eq 1 ]
	grep -q '^ftp-dataconn: the server refused the transfer, so nothing was sent: 5' "$T/dc.err"
	[ ! -e "$LABD_ROOT/up.txt" ]
}

@test "dataconn-script: --go on a terminal: Enter is the go" {
	require script
	labd_start
	printf 'typed by hand\n' >"$T/up.txt"
	mkfifo "$T/keys"
	# script(1) gives ftp-dataconn a terminal; its keyboard is the fifo
	script -qfec "ftp-dataconn -l -s -w 20 --go /dev/tty --announce '$T/port' <'$T/up.txt'" \
		"$T/typescript" <"$T/keys" >/dev/null &
	spid=$!
	dc_remember "$spid"
	exec 6>"$T/keys"
	wait_until 100 test -s "$T/port"
	coproc RAW { ftp-raw -w 20 127.0.0.1 "$LABD_PORT"; }
	dc_remember "$RAW_PID"
	{ printf 'USER anonymous\nPASS x@y\n'; cat "$T/port"; printf 'STOR up.txt\n'; } >&"${RAW[1]}"
	while IFS= read -r -t 10 line <&"${RAW[0]}"; do
		[[ $line == 150* ]] && break
	done
	[[ $line == 150* ]]
	wait_until 100 grep -q 'press Enter' "$T/typescript"
	printf '\n' >&6		# the person presses Enter
	IFS= read -r -t 10 line <&"${RAW[0]}"
	[[ $line == 226* ]]
	dc_wait "$spid"
	cmp "$T/up.txt" "$LABD_ROOT/up.txt"
}

@test "dataconn-script: --go from a FIFO: a download exits 0 after the 226; a 550 ends the wait, exit 1" {
	labd_start
	head -c 70000 /dev/urandom >"$LABD_ROOT/f.bin"
	mkfifo "$T/replies"
	ftp-dataconn -l -r -w 20 --go "$T/replies" --announce "$T/port" >"$T/got" </dev/null &
	dpid=$!
	dc_remember "$dpid"
	wait_until 100 test -s "$T/port"
	{ printf 'USER anonymous\nPASS x@y\nTYPE I\n'; cat "$T/port"; printf 'RETR f.bin\nQUIT\n'; } |
		ftp-raw -w 20 127.0.0.1 "$LABD_PORT" >"$T/replies"
	dc_wait "$dpid"
	[ "$DC_STATUS" -eq 0 ]
	cmp "$T/got" "$LABD_ROOT/f.bin"
	# RETR of a missing file: no connection will come; the 550 says so
	rm -f "$T/replies" "$T/port"
	mkfifo "$T/replies"
	ftp-dataconn -l -r -w 20 --go "$T/replies" --announce "$T/port" >/dev/null 2>"$T/err" </dev/null &
	dpid=$!
	dc_remember "$dpid"
	wait_until 100 test -s "$T/port"
	{ printf 'USER anonymous\nPASS x@y\n'; cat "$T/port"; printf 'RETR nosuch.bin\nQUIT\n'; } |
		ftp-raw -w 20 127.0.0.1 "$LABD_PORT" >"$T/replies"
	dc_wait "$dpid"
	cat "$T/err"
	[ "$DC_STATUS" -eq 1 ]
	grep -q '^ftp-dataconn: the server refused the transfer, so nothing was received: 550 ' "$T/err"
}
