#!/usr/bin/env bats
# Issue 11, defect 1: a client started with fd 0, 1 or 2 closed.  The
# first socket must not land in the hole: with stdout closed a tool that
# has output to give refuses (74, one line), and with stdin or stderr
# closed it works as usual.

load lib/common
bats_require_minimum_version 1.5.0

setup() {
	LABD_ROOT=$BATS_TEST_TMPDIR/root
	mkdir -p "$LABD_ROOT"
	head -c 300000 /dev/urandom >"$LABD_ROOT/big.bin"
	labd_start
}

teardown() {
	labd_stop
}

# One line on stderr, exit 74, and the server saw no command at all.
@test "closed stdout: ftp-raw refuses with 74 and one line, sends nothing" {
	run --separate-stderr bash -c 'printf "NOOP\nQUIT\n" | ftp-raw 127.0.0.1 "$1" >&-' _ "$LABD_PORT"
	echo "$stderr"
	[ "$status" -eq 74 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "ftp-raw: standard output is closed: "* ]]
	refute grep -q 'NOOP' "$LABD_LOG"
}

@test "closed stdout: ftp-dataconn -r refuses with 74 before connecting" {
	run --separate-stderr bash -c 'ftp-dataconn -r -w 5 127.0.0.1 "$1" >&-' _ "$LABD_PORT"
	echo "$stderr"
	[ "$status" -eq 74 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "ftp-dataconn: standard output is closed: "* ]]
}

@test "closed stdout: ftp-dataconn -s needs no stdout and still sends" {
	printf 'hello\n' >"$BATS_TEST_TMPDIR/in"
	ftp-dataconn -l -s -w 5 --announce "$BATS_TEST_TMPDIR/port" \
		<"$BATS_TEST_TMPDIR/in" >&- 2>/dev/null &
	pid=$!
	wait_until 50 test -s "$BATS_TEST_TMPDIR/port"
	run ftp-raw -w 10 127.0.0.1 "$LABD_PORT" <<EOF2
USER anonymous
PASS x@y
TYPE I
$(cat "$BATS_TEST_TMPDIR/port")
STOR hello.txt
QUIT
EOF2
	wait "$pid"
	[[ $output == *$'226 '* ]]
	cmp "$BATS_TEST_TMPDIR/in" "$LABD_ROOT/hello.txt"
}

@test "closed stdout: ftp-pasv-calc refuses with 74 and one line" {
	run --separate-stderr bash -c 'ftp-pasv-calc "227 (127,0,0,1,4,1)" >&-'
	[ "$status" -eq 74 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "ftp-pasv-calc: standard output is closed: "* ]]
	run --separate-stderr bash -c 'echo "227 (127,0,0,1,4,1)" | ftp-pasv-calc >&-'
	[ "$status" -eq 74 ]
}

@test "closed stdin: ftp-raw reads nothing, shows the greeting, exit 0" {
	run --separate-stderr bash -c 'ftp-raw -w 5 127.0.0.1 "$1" <&-' _ "$LABD_PORT"
	echo "$output$stderr"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "220 "* ]]
	[ "${#lines[@]}" -eq 1 ]
}

@test "closed stderr: ftp-raw and ftp-dataconn -r work, bytes intact" {
	run bash -c 'printf "QUIT\n" | ftp-raw 127.0.0.1 "$1" 2>&-' _ "$LABD_PORT"
	[ "$status" -eq 0 ]
	[[ ${lines[1]} == "221 "* ]]
	# a download with stderr closed: every byte on stdout, none back
	mkfifo "$BATS_TEST_TMPDIR/replies"
	{
		printf 'USER anonymous\nPASS x@y\nTYPE I\nPASV\n'
		read -r host port < <(ftp-pasv-calc <"$BATS_TEST_TMPDIR/replies")
		ftp-dataconn -r "$host" "$port" >"$BATS_TEST_TMPDIR/got" 2>&- &
		printf 'RETR big.bin\nQUIT\n'
		wait $!
	} | ftp-raw -w 10 127.0.0.1 "$LABD_PORT" >"$BATS_TEST_TMPDIR/replies"
	cmp "$BATS_TEST_TMPDIR/got" "$LABD_ROOT/big.bin"
}

@test "closed stdin: ftp-dataconn -r downloads as usual" {
	mkfifo "$BATS_TEST_TMPDIR/replies"
	{
		printf 'USER anonymous\nPASS x@y\nTYPE I\nPASV\n'
		read -r host port < <(ftp-pasv-calc <"$BATS_TEST_TMPDIR/replies")
		ftp-dataconn -r "$host" "$port" >"$BATS_TEST_TMPDIR/got" <&- &
		printf 'RETR big.bin\nQUIT\n'
		wait $!
	} | ftp-raw -w 10 127.0.0.1 "$LABD_PORT" >"$BATS_TEST_TMPDIR/replies"
	cmp "$BATS_TEST_TMPDIR/got" "$LABD_ROOT/big.bin"
}
