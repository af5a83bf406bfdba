#!/usr/bin/env bats
# ftp-labd: limits and the Telnet layer.  The 4096-byte line cap, the idle
# timeout, --max-sessions, --max-per-ip and --max-per-user, SIGTERM, Telnet
# option refusal and 0xFF doubling in replies; the quota across sessions,
# at any depth, and REST past the end of a file.

load lib/common

setup() {
	[ -x /usr/bin/python3 ] ||
		skip "/usr/bin/python3 drives the control channel in these tests"
	LABD_ROOT=$BATS_TEST_TMPDIR/root
	mkdir -p "$LABD_ROOT"
	T=$BATS_TEST_TMPDIR
}

teardown() {
	local pid
	for pid in ${HOLD_PIDS:-}; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	labd_stop
}

load lib/chat

# A logged-in client that stays connected (10 s at most) in the background.
hold() {
	printf 'USER anonymous\nPASS x\n!sleep 10\n' | chat >"$T/hold.$1" &
	HOLD_PIDS="${HOLD_PIDS:-} $!"
}

@test "labd limits: a line over 4096 bytes gets 500 and the session goes on" {
	labd_start
	run chat <<-S
		USER anonymous
		!raw b'NOOP ' + b'x' * 5000 + b'\r\n'
		!read
		!raw b'NOOP ' + b'y' * 4089 + b'\r\n'
		!read
		!raw b'PASS ' + b'z' * 100000 + b'\r\nPASS x\r\n'
		!read
		!read
		PWD
	S
	[ "$status" -eq 0 ]
	[[ ${lines[1]} == "331 "* ]]
	[[ ${lines[2]} == "500 Command line too long (the limit is 4096 bytes)." ]]
	[[ ${lines[3]} == "200 NOOP ok." ]]
	[[ ${lines[4]} == "500 Command line too long"* ]]
	[[ ${lines[5]} == "230 "* ]]
	[[ ${lines[6]} == '257 "/" is the current directory.' ]]
	grep -q '\[1\] > (a command line over 4096 bytes)' "$LABD_LOG"
	kill -0 "$LABD_PID"
}

@test "labd limits: an idle control connection gets 421 after --idle-timeout" {
	labd_start --idle-timeout 1
	run chat <<-'S'
		USER anonymous
		!eof
	S
	[[ ${lines[2]} == "421 Timeout (1 seconds): closing control connection." ]]
	[[ ${lines[3]} == "(closed)" ]]
}

@test "labd limits: --max-sessions: the next client gets 421 at connect" {
	labd_start --max-sessions 2
	hold 1
	hold 2
	wait_until 50 eval '[ "$(grep -c "login: anonymous" "$LABD_LOG")" -eq 2 ]'
	run chat <<-'S'
		!eof
	S
	[[ ${lines[0]} == "421 Too many sessions (the limit is 2); try again later." ]]
	[[ ${lines[1]} == "(closed)" ]]
	grep -q '\[3\] connect from 127.0.0.1 port [0-9]* refused: Too many sessions' "$LABD_LOG"
}

@test "labd limits: --max-per-ip counts sessions of one address" {
	labd_start --max-per-ip 1
	hold 1
	wait_until 50 grep -q 'login: anonymous' "$LABD_LOG"
	run chat <<-'S'
		!eof
	S
	[[ ${lines[0]} == "421 Too many sessions from 127.0.0.1 (the limit is 1)." ]]
	[[ ${lines[1]} == "(closed)" ]]
	# another loopback address is another client
	run /usr/bin/python3 -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.2", 0))
s.settimeout(5)
s.connect(("127.0.0.1", int(sys.argv[1])))
print(s.recv(200).decode().strip())' "$LABD_PORT"
	[[ $output == "220 "* ]]
}

@test "labd limits: SIGTERM closes every session with 421 and exits 0" {
	labd_start
	printf 'USER anonymous\nPASS x\n!eof\n' | chat >"$T/c1" &
	HOLD_PIDS=$!
	printf 'USER anonymous\n!eof\n' | chat >"$T/c2" &
	HOLD_PIDS="$HOLD_PIDS $!"
	wait_until 50 grep -q '\[2\] < 331' "$LABD_LOG"
	wait_until 50 grep -q 'login: anonymous' "$LABD_LOG"
	kill -TERM "$LABD_PID"
	rc=0
	wait "$LABD_PID" || rc=$?
	LABD_PID=
	[ "$rc" -eq 0 ]
	wait_until 50 grep -q closed "$T/c2"
	wait_until 50 grep -q closed "$T/c1"
	grep -q '^421 Server shutting down; closing control connection.$' "$T/c1"
	grep -q '^421 Server shutting down' "$T/c2"
	grep -q '\[0\] stopping: closing 2 session(s)' "$LABD_LOG"
	grep -q '\[0\] stopped' "$LABD_LOG"
}

@test "labd limits: SIGINT during a transfer: 426, then 421, exit 0" {
	labd_start
	truncate -s 512M "$LABD_ROOT/big"
	/usr/bin/python3 - "$LABD_PORT" >"$T/c" <<-'P' &
		import socket, sys
		c = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
		f = c.makefile("rb")
		def reply():
		    l = f.readline().decode().rstrip()
		    print(l, flush=True)
		    return l
		reply()
		for cmd in ("USER anonymous", "PASS x", "PASV"):
		    c.sendall(cmd.encode() + b"\r\n")
		    r = reply()
		n = [int(x) for x in r[r.index("(") + 1:r.index(")")].split(",")]
		d = socket.create_connection(("127.0.0.1", n[4] * 256 + n[5]), 10)
		c.sendall(b"RETR big\r\n")
		reply()
		d.recv(1000)   # the transfer runs; we read no more
		while reply():
		    pass
	P
	HOLD_PIDS=$!
	wait_until 50 grep -q '^150 ' "$T/c"
	kill -INT "$LABD_PID"
	rc=0
	wait "$LABD_PID" || rc=$?
	LABD_PID=
	[ "$rc" -eq 0 ]
	wait_until 50 grep -q '^421 ' "$T/c"
	grep -q '^426 Transfer aborted: the server is stopping.$' "$T/c"
	grep -q '^421 Server shutting down' "$T/c"
}

@test "labd telnet: options are refused, IAC is stripped, 0xFF doubled in replies" {
	labd_start
	run /usr/bin/python3 - "$LABD_PORT" <<-'P'
		import socket, sys
		c = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
		c.settimeout(5)
		def until(tail):
		    b = b""
		    while not b.endswith(tail):
		        b += c.recv(4096)
		    return b
		until(b"\r\n")
		# IAC WILL ECHO inside a command, IAC IAC as a data byte 0xFF
		c.sendall(b"USER anon\xff\xfb\x01ymous\r\n")
		print(repr(until(b"password.\r\n")))
		c.sendall(b"PASS x\r\nMKD d\xff\xffx\r\n")
		print(repr(until(b"created.\r\n")))
	P
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "b'\\xff\\xfe\\x01331 Guest login ok"* ]]
	[[ ${lines[1]} == *"257 \"/d\\xff\\xffx\" created.\\r\\n'" ]]
	[ -d "$LABD_ROOT/d"$'\xff'"x" ]
}

# ---- the quota: one account, every session, any depth ----

# ann_with_quota QUOTA: ann's account with that quota, home $LABD_ROOT/ann
ann_with_quota() {
	printf 'ann:pw:ann:rwdm:%s\n' "$1" >"$T/users"
	mkdir -p "$LABD_ROOT/ann"
}

# Bytes in the regular files below a folder, at any depth.
bytes_below() {
	find "$1" -type f -printf '%s\n' | awk '{ t += $1 } END { print t + 0 }'
}

@test "labd quota: 50 uploads of one account at once stay within the quota" {
	ann_with_quota 1M
	labd_start --users "$T/users" --max-sessions 200
	run /usr/bin/python3 "$REPO_ROOT/tests/lib/many-stor.py" "$LABD_HOST" \
		"$LABD_PORT" ann pw 50 102400
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 50 ]
	# 50 x 100 KiB offered, 1 MiB allowed: some taken, the rest 552
	local taken refused
	taken=$(grep -c '^226$' <<<"$output")
	refused=$(grep -c '^552$' <<<"$output")
	[ $((taken + refused)) -eq 50 ]
	[ "$taken" -ge 1 ] && [ "$refused" -ge 1 ]
	# what stays is within the quota (the issue allows one buffer more;
	# the server keeps none of it), and every kept file is whole
	[ "$(bytes_below "$LABD_ROOT/ann")" -le 1048576 ]
	[ "$(bytes_below "$LABD_ROOT/ann")" -eq $((taken * 102400)) ]
	[ -z "$(find "$LABD_ROOT/ann" -name '.labd-upload.*')" ]
	grep -q '< 552 Exceeded storage allocation (the quota of ann is 1048576 bytes, [0-9]* used); the upload is removed.$' "$LABD_LOG"
}

@test "labd quota: files at any depth count" {
	ann_with_quota 1M
	local deep=$LABD_ROOT/ann
	deep+=$(printf '/d%.0s' {1..40})
	mkdir -p "$deep"
	head -c 1000000 /dev/zero >"$deep/deep.bin"
	head -c 100000 /dev/zero >"$T/up.bin"
	labd_start --users "$T/users"
	run curl -sS -T "$T/up.bin" "ftp://ann:pw@$LABD_HOST:$LABD_PORT/up.bin"
	[[ $output == *"curl: (70) Exceeded storage allocation"* ]]
	[ ! -e "$LABD_ROOT/ann/up.bin" ]
	grep -q '< 552 Exceeded storage allocation (the quota of ann is 1048576 bytes, 1000000 used); the upload is removed.$' "$LABD_LOG"
}

@test "labd quota: REST past the end of a file is refused (554); the quota counts what REST+STOR leaves" {
	ann_with_quota 1M
	head -c 1000000 /dev/zero >"$LABD_ROOT/ann/big.bin"
	printf '0123456789' >"$LABD_ROOT/ann/ten"
	printf 'abcdefghij' >"$T/ten"
	head -c 100000 /dev/zero >"$T/more"
	labd_start --users "$T/users"
	run chat <<-S
		USER ann
		PASS pw
		REST 17592186036224
		!pasv
		STOR sparse.bin
		REST 11
		!pasv
		STOR ten
		REST 11
		!pasv
		RETR ten
		REST 10
		!pasv
		!put $T/ten STOR ten
		REST 1000000
		!pasv
		!put $T/more STOR big.bin
	S
	[ "$status" -eq 0 ]
	[[ $output == *"554 REST 17592186036224 is past the end of /sparse.bin (0 bytes); restart at most there."* ]]
	[ "$(grep -c '^554 REST 11 is past the end of /ten (10 bytes); restart at most there.$' <<<"$output")" -eq 2 ]
	[ ! -e "$LABD_ROOT/ann/sparse.bin" ]
	# at the end it appends; past the quota it is cut back
	[ "$(cat "$LABD_ROOT/ann/ten")" = 0123456789abcdefghij ]
	[[ $output == *"552 Exceeded storage allocation (the quota of ann is 1048576 bytes, 1000020 used)"* ]]
	[ "$(stat -c %s "$LABD_ROOT/ann/big.bin")" -eq 1000000 ]
}

# A STOR over a file frees the old file's bytes only if that file is still
# there when the upload ends: here another session moved it away.
@test "labd quota: a STOR over a file that another session renames away meanwhile cannot pass the quota" {
	ann_with_quota 100K
	head -c 95000 /dev/zero >"$LABD_ROOT/ann/a"
	labd_start --users "$T/users"
	run /usr/bin/python3 "$REPO_ROOT/tests/lib/rename-during-stor.py" \
		"$LABD_HOST" "$LABD_PORT" ann pw a keep 95000
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == 350* ]]
	[[ ${lines[1]} == 250* ]]
	[[ ${lines[2]} == "552 Exceeded storage allocation (the quota of ann is 102400 bytes, 190000 used); the upload is removed." ]]
	[ "$(bytes_below "$LABD_ROOT/ann")" -eq 95000 ]
	[ "$(stat -c %s "$LABD_ROOT/ann/keep")" -eq 95000 ]
	[ -z "$(find "$LABD_ROOT/ann" -name '.labd-upload.*')" ]
	# the same STOR with the old file left in place replaces it
	run /usr/bin/python3 "$REPO_ROOT/tests/lib/rename-during-stor.py" \
		"$LABD_HOST" "$LABD_PORT" ann pw keep keep 95000
	[[ ${lines[2]} == "226 Transfer complete." ]]
	[ "$(bytes_below "$LABD_ROOT/ann")" -eq 95000 ]
}

@test "labd limits: --max-per-user: a login over the account's sessions gets 530" {
	ann_with_quota 0
	labd_start --users "$T/users" --max-per-user 2
	local i
	for i in 1 2; do
		printf 'USER ann\nPASS pw\n!sleep 10\n' | chat >"$T/hold.$i" &
		HOLD_PIDS="${HOLD_PIDS:-} $!"
	done
	wait_until 100 eval '[ "$(grep -c "login: user ann" "$LABD_LOG")" -eq 2 ]'
	run chat <<-S
		USER ann
		PASS pw
	S
	[[ ${lines[2]} == "530 Login refused: ann has 2 sessions already (the limit); close one first." ]]
	grep -q 'login: ann refused: 2 sessions already (--max-per-user)$' "$LABD_LOG"
	# anonymous is not an account of one person: not counted
	run chat <<-S
		USER anonymous
		PASS x
	S
	[[ ${lines[2]} == "230 "* ]]
	run ftp-labd --max-per-user 0
	[ "$status" -eq 64 ]
}
