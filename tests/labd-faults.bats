#!/usr/bin/env bats
# ftp-labd under faults and odd clients: a client killed mid-upload, a
# trickling client, a passive port never used, a reply too long for its
# buffer, closed standard descriptors, the root folder replaced while the
# server runs.  Each runs with openat2 and again with RAWFTP_PORTABLE=1.

load lib/common
# free_port (a server whose stdout, where it says its port, is closed;
# one passive port): below the ephemeral range, which other tests' clients
# take
load lib/peers

setup() {
	[ -x /usr/bin/python3 ] ||
		skip "/usr/bin/python3 drives the control channel in these tests"
	LABD_ROOT=$BATS_TEST_TMPDIR/root
	mkdir -p "$LABD_ROOT"
	T=$BATS_TEST_TMPDIR
}

teardown() {
	local pid
	for pid in ${CLIENT_PIDS:-}; do
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	labd_stop
}

chat() {
	/usr/bin/python3 "$REPO_ROOT/tests/lib/ftpchat.py" "$LABD_HOST" \
		"$LABD_PORT"
}

# How many lines of the narration match $1.
narrated() {
	grep -c -- "$1" "$LABD_LOG"
}

# Succeeds when at least $1 lines of the narration match the extended
# regular expression $2 (read by bash: the waits poll it).
narrated_at_least() {
	count_matching "$LABD_LOG" "$2"
	[ "$REPLY" -ge "$1" ]
}

# kill_uploads CLIENT RUNS: RUNS times, a client (curl or ftplib) starts a
# STOR over keep.txt and is killed with SIGKILL at a random moment after
# its data connection opened.  The old keep.txt must survive every time.
kill_uploads() {
	local client=$1 runs=$2 run pid
	for ((run = 1; run <= runs; run++)); do
		printf 'precious\n' >"$LABD_ROOT/keep.txt"
		if [ "$client" = curl ]; then
			# endless stdin: only the kill ends the upload, however
			# late it comes on a loaded machine
			curl -s --limit-rate 2M -T - \
				"ftp://$LABD_HOST:$LABD_PORT/keep.txt" </dev/zero &
		else
			/usr/bin/python3 "$REPO_ROOT/tests/lib/slow-stor.py" \
				"$LABD_HOST" "$LABD_PORT" keep.txt >/dev/null &
		fi
		pid=$!
		CLIENT_PIDS=$pid
		wait_until 300 narrated_at_least "$run" '] data: .* connected$'
		nap "0.$((RANDOM % 3))$((RANDOM % 10))"	# (no sleep process)
		kill -9 "$pid"
		wait "$pid" 2>/dev/null || true
		CLIENT_PIDS=
		wait_until 300 narrated_at_least "$run" '] closed$'
		printf 'precious\n' | cmp - "$LABD_ROOT/keep.txt"
	done
	[ "$(narrated 'upload of /keep.txt not completed; the old file is kept')" -eq "$runs" ]
	[ "$(ls -A "$LABD_ROOT" | grep -c labd-upload)" -eq 0 ]
}

@test "labd faults: curl killed mid-upload 20 times: the old file is kept every time" {
	require curl
	for portable in 0 1; do
		RAWFTP_PORTABLE=$portable labd_start
		kill_uploads curl 10
		labd_stop
	done
}

@test "labd faults: ftplib killed mid-upload 20 times: the old file is kept every time" {
	for portable in 0 1; do
		RAWFTP_PORTABLE=$portable labd_start
		kill_uploads ftplib 10
		labd_stop
	done
}

@test "labd faults: a finished upload whose client then quits is kept" {
	labd_start
	printf 'old\n' >"$LABD_ROOT/keep.txt"
	printf 'new\n' >"$T/new"
	curl -s -T "$T/new" "ftp://$LABD_HOST:$LABD_PORT/keep.txt"
	printf 'new\n' | cmp - "$LABD_ROOT/keep.txt"
	[ "$(narrated 'client is gone')" -eq 0 ]
}

# Starts ftp-labd with the descriptors $1 (a redirection such as "<&-")
# closed, fetches a file with curl, stops it with SIGTERM: it must have
# served the file and exit 0.
serve_closed() {
	local port
	port=$(free_port)
	# as root, stay root as labd_start does (nobody could not write here)
	eval "ftp-labd -p $port -r \"\$LABD_ROOT\" $([ "$(id -u)" -ne 0 ] ||
		echo --stay-root) $1 &"
	LABD_PID=$!
	wait_until 50 curl -s -o "$T/got" "ftp://127.0.0.1:$port/f.txt"
	cmp "$LABD_ROOT/f.txt" "$T/got"
	kill -0 "$LABD_PID"
	kill "$LABD_PID"
	wait "$LABD_PID"
	LABD_PID=
	rm -f "$T/got"
}

@test "labd faults: started with fds 0, 1, 2 closed (each, and all three) it serves and exits 0" {
	require curl
	printf 'hello\n' >"$LABD_ROOT/f.txt"
	for portable in 0 1; do
		export RAWFTP_PORTABLE=$portable
		serve_closed '<&-'
		serve_closed '>&-'
		serve_closed '2>&-'
		serve_closed '<&- >&- 2>&-'
	done
}

@test "labd faults: MLST of a long name of 0xFF bytes gets its whole reply (both modes)" {
	# four folders of 250 bytes 0xFF: the reply names the path twice, and
	# each 0xFF goes on the wire doubled
	name=$(printf '\xff%.0s' {1..250})
	mkdir -p "$LABD_ROOT/$name/$name/$name/$name"
	for portable in 0 1; do
		RAWFTP_PORTABLE=$portable labd_start
		run /usr/bin/python3 - "$LABD_PORT" <<-'P'
			import socket, sys
			c = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
			c.settimeout(5)
			buf = b""
			def until(tail):
			    global buf
			    while tail not in buf:
			        chunk = c.recv(65536)
			        if not chunk:
			            raise SystemExit("closed")
			        buf += chunk
			    got, buf = buf.split(tail, 1)
			    return got + tail
			until(b"\r\n")
			c.sendall(b"USER anonymous\r\nPASS x\r\n")
			until(b"230 Guest login ok, access restrictions apply.\r\n")
			path = b"/".join([b"\xff\xff" * 250] * 4)
			c.sendall(b"MLST /" + path + b"\r\nNOOP\r\n")
			reply = until(b"200 NOOP ok.\r\n")
			print(len(reply))
			print(repr(reply[:12]))
			print(repr(reply[-25:]))
			print(reply.count(b"\xff\xff"))
		P
		[ "$status" -eq 0 ]
		[ "${lines[1]}" = "b'250-Listing '" ]
		[ "${lines[2]}" = "b'\\r\\n250 End\\r\\n200 NOOP ok.\\r\\n'" ]
		[ "${lines[3]}" -eq 2000 ]	# every 0xFF of both paths, doubled
		labd_stop
	done
}

@test "labd faults: a client trickling a byte at a time gets 421 after --idle-timeout (both modes)" {
	for portable in 0 1; do
		RAWFTP_PORTABLE=$portable labd_start --idle-timeout 1
		# 40 bytes, one each 0.1 s: 4 s for a line the server must give
		# up on after 1 s, however steadily its bytes come
		run /usr/bin/python3 - "$LABD_PORT" <<-'P'
			import socket, sys, time
			c = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
			start = time.monotonic()
			c.recv(4096)
			line = b"NOOP " + b"x" * 33 + b"\r\n"
			c.setblocking(False)
			got, sent = b"", 0
			for byte in line:
			    try:
			        c.send(bytes([byte]))
			        sent += 1
			        got += c.recv(4096)
			    except BlockingIOError:
			        pass
			    except OSError:
			        break
			    if b"\r\n" in got:
			        break
			    time.sleep(0.1)
			print(got.decode().strip())
			print("sent %d of %d bytes" % (sent, len(line)))
			print("%.2f s" % (time.monotonic() - start), file=sys.stderr)
		P
		[ "$status" -eq 0 ]
		[ "${lines[0]}" = "421 Timeout (1 seconds): closing control connection." ]
		[[ ${lines[1]} =~ ^sent\ ([0-9]+)\ of\ 40\ bytes$ ]]
		[ "${BASH_REMATCH[1]}" -lt 40 ]
		wait_until 50 grep -q '\[1\] closed' "$LABD_LOG"
		labd_stop
	done
}

@test "labd faults: a passive port with no transfer closes after --data-timeout (both modes)" {
	for portable in 0 1; do
		# one passive port: an idle client must not hold it for ever
		port=$(free_port)
		RAWFTP_PORTABLE=$portable labd_start --data-timeout 1 \
			--pasv-ports "$port-$port"
		run /usr/bin/python3 - "$LABD_PORT" "$port" <<-'P'
			import socket, sys, time
			def login():
			    c = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
			    f = c.makefile("rb")
			    f.readline()
			    c.sendall(b"USER anonymous\r\nPASS x\r\n")
			    f.readline(); f.readline()
			    return c, f
			def ask(c, f, cmd):
			    c.sendall(cmd + b"\r\n")
			    print(f.readline().decode().strip())
			a, fa = login()
			ask(a, fa, b"EPSV")
			time.sleep(2)		# past --data-timeout, no transfer
			try:
			    socket.create_connection(("127.0.0.1", int(sys.argv[2])), 2)
			    print("the old passive port still listens")
			except ConnectionRefusedError:
			    print("the old passive port is closed")
			b, fb = login()
			ask(b, fb, b"EPSV")	# the one port is free again
			ask(a, fa, b"RETR nothing")
		P
		[ "$status" -eq 0 ]
		[ "${lines[0]}" = "229 Entering Extended Passive Mode (|||$port|)" ]
		[ "${lines[1]}" = "the old passive port is closed" ]
		[ "${lines[2]}" = "229 Entering Extended Passive Mode (|||$port|)" ]
		[ "${lines[3]}" = "425 Use PORT, PASV, EPRT or EPSV first." ]
		grep -q "\[1\] data: passive port 127.0.0.1:$port closed: no transfer within 1 seconds" "$LABD_LOG"
		labd_stop
	done
}

@test "labd faults: the root folder removed and made again is served anew, and said so (both modes)" {
	for portable in 0 1; do
		rm -rf "$LABD_ROOT"
		mkdir -p "$LABD_ROOT"
		printf 'old\n' >"$LABD_ROOT/old.txt"
		RAWFTP_PORTABLE=$portable labd_start
		run chat <<-S
			USER anonymous
			PASS x
			!sh rm -rf "$LABD_ROOT"
			CWD /
			!sh mkdir "$LABD_ROOT" && printf 'new\n' >"$LABD_ROOT/new.txt"
			SIZE new.txt
			!pasv
			!put $LABD_ROOT/new.txt STOR up.txt
		S
		[ "$status" -eq 0 ]
		[ "${lines[3]}" = "550 /: No such file or directory." ]
		[ "${lines[4]}" = "213 4" ]
		[[ $output == *"226 Transfer complete."* ]]
		cmp "$LABD_ROOT/new.txt" "$LABD_ROOT/up.txt"
		grep -q "\[0\] root: $LABD_ROOT was removed; every file command fails until it is made again" "$LABD_LOG"
		grep -q "\[0\] root: $LABD_ROOT was removed and made again; serving the new folder" "$LABD_LOG"
		labd_stop
	done
}

@test "labd faults: every command of the session fuzz corpus gets exactly one final reply (both modes)" {
	[ -x "$RAWFTP_TESTBIN/session-replay" ] ||
		skip "session-replay is built by make test"
	for portable in 0 1; do
		RAWFTP_PORTABLE=$portable run "$RAWFTP_TESTBIN/session-replay" \
			"$REPO_ROOT"/tests/fuzz/corpus/session/*
		[ "$status" -eq 0 ]
		[ "$(grep -c '^ok ' <<<"$output")" -eq \
			"$(ls "$REPO_ROOT"/tests/fuzz/corpus/session | wc -l)" ]
	done
}
