#!/usr/bin/env bats
# ftp-labd: the program's interface and every command's reply codes, as a
# client sees them on the control channel (tests/lib/ftpchat.py prints each
# reply line as it arrives).

load lib/common

setup() {
	[ -x /usr/bin/python3 ] ||
		skip "/usr/bin/python3 drives the control channel in these tests"
	LABD_ROOT=$BATS_TEST_TMPDIR/root
	mkdir -p "$LABD_ROOT/sub"
	printf 'hello\n' >"$LABD_ROOT/a.txt"
}

teardown() {
	labd_stop
}

load lib/chat

@test "labd: --help and --version on stdout, exit 0" {
	run ftp-labd --help
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "usage: ftp-labd"* ]]
	[[ $output == *"--pasv-ports LO-HI"* ]]
	run ftp-labd --version
	[ "$status" -eq 0 ]
	[[ $output == "ftp-labd (rawftp) "[0-9]* ]]
}

@test "labd: usage errors exit 64 with one line naming the problem" {
	run ftp-labd --bogus
	[ "$status" -eq 64 ]
	[[ ${lines[0]} == "ftp-labd: "* ]]
	run ftp-labd -p 70000
	[ "$status" -eq 64 ]
	[[ $output == *"-p: '70000' is not a number from 0 to 65535"* ]]
	run ftp-labd --pasv-ports 5000-4000
	[ "$status" -eq 64 ]
	run ftp-labd --pasv-address ::1
	[ "$status" -eq 64 ]
	[[ $output == *"not an IPv4 address"* ]]
	run ftp-labd -r "$BATS_TEST_TMPDIR/none" -p 0
	[ "$status" -eq 64 ]
	[[ $output == "ftp-labd: -r "*"none: cannot open as a directory"* ]]
	run ftp-labd -l 127.0.0.1 -p 0 extra
	[ "$status" -eq 64 ]
	run ftp-labd --no-anonymous -p 0
	[ "$status" -eq 64 ]
}

@test "labd: a malformed --users file exits 65 naming the line" {
	printf '# accounts\nalice:secret\nbroken line\n' >"$BATS_TEST_TMPDIR/u"
	run ftp-labd -p 0 --users "$BATS_TEST_TMPDIR/u"
	[ "$status" -eq 65 ]
	[[ $output == "ftp-labd: --users: "*"line 3: expected name:password[:home[:permissions[:quota]]]" ]]
	# the guest names, in any case, cannot be accounts
	printf 'Ftp:secret\n' >"$BATS_TEST_TMPDIR/u"
	run ftp-labd -p 0 --users "$BATS_TEST_TMPDIR/u"
	[ "$status" -eq 65 ]
	[[ $output == *"line 1: 'Ftp' is the anonymous login" ]]
}

@test "labd: a --users line over 511 bytes is an error naming it, not two lines" {
	# cut at 511 bytes, the tail of this comment would be an account
	{
		printf 'alice:secret\n#'
		printf 'x%.0s' {1..510}
		printf 'mallory:evil\n'
	} >"$BATS_TEST_TMPDIR/u"
	# (a server that accepted the file would listen until the timeout)
	run timeout 10 ftp-labd -p 0 --users "$BATS_TEST_TMPDIR/u"
	[ "$status" -eq 65 ]
	[[ $output == "ftp-labd: --users: "*"/u line 2: longer than 511 bytes" ]]
	[ "${#lines[@]}" -eq 1 ]
}

@test "labd: first stdout line is 'listening on HOST port PORT'" {
	labd_start
	run head -n 1 "$LABD_OUT"
	[[ $output =~ ^listening\ on\ 127\.0\.0\.1\ port\ [0-9]+$ ]]
	[ "$LABD_PORT" -gt 0 ]
	grep -q '^ *[0-9]*\.[0-9]\{6\} \[0\] serving ' "$LABD_LOG"
}

@test "labd: greeting, anonymous login, password masked in narration" {
	labd_start
	run chat <<-'S'
		USER anonymous
		PASS student@example.com
		QUIT
	S
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "220 "* ]]
	[[ ${lines[1]} == "331 Guest login ok"* ]]
	[[ ${lines[2]} == "230 "* ]]
	[[ ${lines[3]} == "221 Goodbye." ]]
	wait_until 20 grep -q '\[1\] closed' "$LABD_LOG"
	grep -q '^ *[0-9.]* \[1\] > USER anonymous$' "$LABD_LOG"
	grep -q '^ *[0-9.]* \[1\] > PASS XXXX$' "$LABD_LOG"
	grep -q '\[1\] < 230 ' "$LABD_LOG"
	refute grep -q 'student@example.com' "$LABD_LOG"
}

@test "labd: wrong order and unknown commands: 530, 503, 500, 501, 502" {
	labd_start
	run chat <<-'S'
		PWD
		RETR a.txt
		PASS x
		FOO
		USER
		USER ftp
		PASS x
		RNTO b
		XYZZY
		TYPE
		REIN
		SYST
	S
	[[ ${lines[1]} == "530 Please login with USER and PASS." ]]
	[[ ${lines[2]} == "530 "* ]]
	[[ ${lines[3]} == "503 Login with USER first." ]]
	[[ ${lines[4]} == "500 Unknown command." ]]
	[[ ${lines[5]} == "501 USER needs an argument. Syntax: USER name (anonymous or ftp: a guest)" ]]
	[[ ${lines[6]} == "331 "* ]]
	[[ ${lines[7]} == "230 "* ]]
	[[ ${lines[8]} == "503 RNTO must come right after RNFR." ]]
	[[ ${lines[9]} == "500 Unknown command." ]]
	[[ ${lines[10]} == "501 TYPE needs an argument. Syntax: TYPE A | I (ASCII text or image, the bytes as they are)" ]]
	[[ ${lines[11]} == "502 Command not implemented." ]]
	[[ ${lines[12]} == "215 UNIX Type: L8" ]]
}

@test "labd: HELP is a multi-line 214, FEAT a multi-line 211" {
	labd_start
	run chat <<-'S'
		HELP
		FEAT
		HELP RETR
		HELP SMNT
	S
	[[ ${lines[1]} == "214-The following commands are recognized"* ]]
	[[ $output == *" RETR "* ]]
	[[ $output == *" SMNT*"* ]]
	[[ $output == *$'\n214 Help OK.'* ]]
	[[ $output == *$'\n211-Features:\n'*$'\n EPSV\n'*$'\n REST STREAM\n'*$'\n211 End'* ]]
	[[ $output == *$'\n214 Syntax: RETR path\n'* ]]
	[[ $output == *$'\n214 Syntax: SMNT path; not implemented here.'* ]]
}

@test "labd: HELP VERB gives the syntax; a bad argument's 501 quotes it" {
	labd_start
	run chat <<-'S'
		HELP PORT
		HELP eprt
		HELP REST
		HELP QUIT
		HELP PORTS
		USER anonymous
		PASS x
		PORT 127,0,0,1,4
		EPRT |1|127.0.0.1|
		REST -1
		MODE X
		STRU X
		TYPE X
	S
	[ "${lines[1]}" = "214 Syntax: PORT h1,h2,h3,h4,p1,p2 (address h1.h2.h3.h4, port p1*256+p2)" ]
	[ "${lines[2]}" = "214 Syntax: EPRT |af|address|port| (af 1 = IPv4, 2 = IPv6; any printable delimiter in place of |)" ]
	[ "${lines[3]}" = "214 Syntax: REST byte-offset (a decimal number; the next RETR or STOR starts there)" ]
	[ "${lines[4]}" = "214 Syntax: QUIT (no argument)" ]
	[ "${lines[5]}" = "502 Unknown command 'PORTS'." ]
	[[ ${lines[8]} == "501 Bad PORT argument: "*". Syntax: PORT h1,h2,h3,h4,p1,p2 (address h1.h2.h3.h4, port p1*256+p2)" ]]
	[[ ${lines[9]} == "501 Bad EPRT argument: "*". Syntax: EPRT |af|address|port| "* ]]
	[[ ${lines[10]} == "501 REST needs a byte offset"*". Syntax: REST byte-offset "* ]]
	[[ ${lines[11]} == "501 Unknown mode 'X'. Syntax: MODE S "* ]]
	[[ ${lines[12]} == "501 Unknown structure 'X'. Syntax: STRU F "* ]]
	[[ ${lines[13]} == "501 Unknown type 'X'. Syntax: TYPE A | I "* ]]
}

@test "labd: NOOP, TYPE, MODE, STRU, ALLO, OPTS, AUTH replies" {
	labd_start
	run chat <<-'S'
		AUTH TLS
		AUTH SSL
		OPTS UTF8 ON
		USER anonymous
		PASS x
		OPTS UTF8 ON
		OPTS FOO
		NOOP
		TYPE A
		TYPE I
		TYPE L 8
		TYPE E
		TYPE Z
		MODE S
		MODE B
		STRU F
		STRU R
		ALLO 100
	S
	[[ ${lines[1]} == "504 AUTH: security mechanism 'TLS' not supported." ]]
	[[ ${lines[2]} == "504 AUTH: security mechanism 'SSL' not supported." ]]
	[[ ${lines[3]} == "200 "* ]]
	[[ ${lines[6]} == "200 "* ]]
	[[ ${lines[7]} == "501 "* ]]
	[[ ${lines[8]} == "200 NOOP ok." ]]
	[[ ${lines[9]} == "200 Type set to A." ]]
	[[ ${lines[10]} == "200 Type set to I." ]]
	[[ ${lines[11]} == "200 Type set to I." ]]
	[[ ${lines[12]} == "504 "* ]]
	[[ ${lines[13]} == "501 "* ]]
	[[ ${lines[14]} == "200 Mode set to S." ]]
	[[ ${lines[15]} == "504 "* ]]
	[[ ${lines[16]} == "200 Structure set to F." ]]
	[[ ${lines[17]} == "504 "* ]]
	[[ ${lines[18]} == "202 "* ]]
}

# Runs "$1" against a fresh server in each confinement mode: openat2,
# then RAWFTP_PORTABLE=1 (the component walk).
both_modes() {
	local portable
	for portable in 0 1; do
		rm -rf "$LABD_ROOT"
		setup
		RAWFTP_PORTABLE=$portable labd_start
		"$1"
		labd_stop
	done
}

directories() {
	run chat <<-'S'
		USER anonymous
		PASS x
		PWD
		CWD sub
		PWD
		CWD nowhere
		CDUP
		MKD new
		MKD new
		XMKD we"ird
		CWD /new
		XPWD
		XCUP
		RMD new
		RMD sub/missing
	S
	[[ ${lines[3]} == '257 "/" is the current directory.' ]]
	[[ ${lines[4]} == "250 Directory changed to /sub." ]]
	[[ ${lines[5]} == '257 "/sub" is the current directory.' ]]
	[[ ${lines[6]} == "550 /sub/nowhere: No such file or directory." ]]
	[[ ${lines[7]} == "250 Directory changed to /." ]]
	[[ ${lines[8]} == '257 "/new" created.' ]]
	[[ ${lines[9]} == "550 /new: File exists." ]]
	[[ ${lines[10]} == '257 "/we""ird" created.' ]]
	[[ ${lines[11]} == "250 "* ]]
	[[ ${lines[12]} == '257 "/new" is the current directory.' ]]
	[[ ${lines[13]} == "250 Directory changed to /." ]]
	[[ ${lines[14]} == "250 /new removed." ]]
	[[ ${lines[15]} == "550 "* ]]
	[ ! -e "$LABD_ROOT/new" ]
	[ -d "$LABD_ROOT/we\"ird" ]
}

@test "labd: PWD, CWD, CDUP, MKD, RMD, XMKD, XPWD, XCUP (both modes)" {
	both_modes directories
}

names() {
	touch -d '2024-02-03 04:05:06 UTC' "$LABD_ROOT/a.txt"
	run chat <<-'S'
		USER anonymous
		PASS x
		SIZE a.txt
		SIZE sub
		MDTM a.txt
		MLST a.txt
		RNFR a.txt
		RNTO sub/b.txt
		RNFR missing
		DELE sub/b.txt
		DELE sub/b.txt
		STAT
		STAT /
	S
	[[ ${lines[3]} == "213 6" ]]
	[[ ${lines[4]} == "550 /sub: not a regular file." ]]
	[[ ${lines[5]} == "213 20240203040506" ]]
	[[ ${lines[6]} == "250-Listing /a.txt" ]]
	[[ ${lines[7]} == " type=file;size=6;modify=20240203040506;perm=adfrw;unique="*"; /a.txt" ]]
	[[ ${lines[8]} == "250 End" ]]
	[[ ${lines[9]} == "350 /a.txt exists; ready for RNTO." ]]
	[[ ${lines[10]} == "250 Renamed /a.txt to /sub/b.txt." ]]
	[[ ${lines[11]} == "550 /missing: No such file or directory." ]]
	[[ ${lines[12]} == "250 /sub/b.txt removed." ]]
	[[ ${lines[13]} == "550 "* ]]
	[[ ${lines[14]} == "211-ftp-labd status:" ]]
	[[ $output == *" Logged in as anonymous"*"211 End of status"* ]]
	[[ $output == *"213-Status of /:"*"drwxr-xr-x"*" sub"*"213 End of status."* ]]
	[ ! -e "$LABD_ROOT/a.txt" ]
}

@test "labd: DELE, RNFR/RNTO, SIZE, MDTM, MLST, STAT (both modes)" {
	both_modes names
}

mfmt() {
	printf 'x\n' >"$LABD_ROOT/m.txt"
	mkdir -p "$LABD_ROOT/mdir"
	run chat <<-'S'
		USER anonymous
		PASS x
		FEAT
		MFMT 20010203040506 m.txt
		MDTM m.txt
		MFMT 20000229235959.123 /mdir
		MFMT 20010229000000 m.txt
		MFMT 2001020304050 m.txt
		MFMT 20010203040506
		MFMT 20010203040506 nothing.txt
	S
	[ "$status" -eq 0 ]
	[[ $output == *$'\n MFMT\n'* ]]
	[[ $output == *$'\n213 Modify=20010203040506; /m.txt\n213 20010203040506\n'* ]]
	[[ $output == *$'\n213 Modify=20000229235959; /mdir\n'* ]]
	[ "$(grep -c '^501 MFMT needs a valid time (UTC, from 1970) and a path. Syntax: MFMT YYYYMMDDHHMMSS path (the new modification time, UTC)$' <<<"$output")" -eq 3 ]
	[[ ${lines[-1]} == "550 /nothing.txt: No such file or directory." ]]
	[ "$(TZ=UTC date -r "$LABD_ROOT/m.txt" '+%Y-%m-%d %H:%M:%S')" = "2001-02-03 04:05:06" ]
	[ "$(TZ=UTC date -r "$LABD_ROOT/mdir" '+%Y-%m-%d %H:%M:%S')" = "2000-02-29 23:59:59" ]
}

@test "labd: MFMT sets a modification time, MDTM reads it back (both modes)" {
	both_modes mfmt
}

@test "labd: a failed RNTO names the path at fault" {
	labd_start
	touch "$LABD_ROOT/r.txt" "$LABD_ROOT/q.txt"
	run chat <<-S
		USER anonymous
		PASS x
		RNFR r.txt
		!sh rm "$LABD_ROOT/r.txt"
		RNTO s.txt
		RNFR q.txt
		RNTO nowhere/q.txt
	S
	[ "$status" -eq 0 ]
	[ "${lines[3]}" = "350 /r.txt exists; ready for RNTO." ]
	[ "${lines[4]}" = "550 /r.txt: No such file or directory." ]
	[ "${lines[6]}" = "550 /nowhere/q.txt: No such file or directory." ]
}

@test "labd: --read-only refuses every change with 550" {
	labd_start --read-only
	printf 'x\n' >"$BATS_TEST_TMPDIR/up"
	run chat <<-S
		USER anonymous
		PASS x
		MKD d
		DELE a.txt
		RNFR a.txt
		!pasv
		!put $BATS_TEST_TMPDIR/up STOR n.txt
		!pasv
		!get $BATS_TEST_TMPDIR/got RETR a.txt
	S
	[[ ${lines[3]} == "550 Permission denied: the server is read-only." ]]
	[[ ${lines[4]} == "550 "* ]]
	[[ ${lines[5]} == "550 "* ]]
	[[ ${lines[7]} == "550 "* ]]
	[ ! -e "$LABD_ROOT/n.txt" ]
	[ -f "$LABD_ROOT/a.txt" ]
	cmp "$BATS_TEST_TMPDIR/got" "$LABD_ROOT/a.txt"
}

@test "labd: named accounts from --users; 530 on a wrong password, 421 after 3" {
	printf 'alice:wonder land\n' >"$BATS_TEST_TMPDIR/users"
	labd_start --users "$BATS_TEST_TMPDIR/users" --fail-delay 10
	run chat <<-'S'
		USER alice
		PASS wonder land
		PWD
	S
	[[ ${lines[1]} == "331 Password required for alice." ]]
	[[ ${lines[2]} == "230 User alice logged in." ]]
	[[ ${lines[3]} == "257 "* ]]
	run chat <<-'S'
		USER alice
		PASS wrong
		USER alice
		PASS Wonder land
		USER nobody
		PASS x
		!eof
	S
	[[ ${lines[2]} == "530 Login incorrect." ]]
	[[ ${lines[4]} == "530 Login incorrect." ]]
	[[ ${lines[6]} == "421 Too many failed logins; closing control connection." ]]
	[[ ${lines[7]} == "(closed)" ]]
	grep -q 'login: wrong password for alice (1 of 3)' "$LABD_LOG"
}

@test "labd: --no-anonymous refuses USER anonymous and ftp" {
	printf 'bob:pw\n' >"$BATS_TEST_TMPDIR/users"
	labd_start --users "$BATS_TEST_TMPDIR/users" --no-anonymous
	run chat <<-'S'
		USER anonymous
		USER ftp
		USER bob
		PASS pw
	S
	[[ ${lines[1]} == "530 Anonymous login is disabled on this server." ]]
	[[ ${lines[2]} == "530 "* ]]
	[[ ${lines[4]} == "230 User bob logged in." ]]
}

@test "labd: -q silences the narration, --log FILE takes it instead" {
	labd_start -q
	run chat <<-'S'
		USER anonymous
	S
	[[ ${lines[1]} == "331 "* ]]
	labd_stop
	[ ! -s "$LABD_LOG" ]
	labd_start -q --log "$BATS_TEST_TMPDIR/narration"
	run chat <<-'S'
		USER anonymous
	S
	wait_until 20 grep -q '\[1\] > USER anonymous' "$BATS_TEST_TMPDIR/narration"
	grep -q '\[0\] serving ' "$BATS_TEST_TMPDIR/narration"
	[ ! -s "$LABD_LOG" ]
	run ftp-labd -p 0 --log /nonexistent/dir/log
	[ "$status" -eq 73 ]
	[[ $output == "ftp-labd: --log /nonexistent/dir/log: No such file or directory" ]]
}

@test "labd: a --log that cannot be written is said once on stderr; serving goes on" {
	[ -w /dev/full ] && [ "$EUID" -eq 0 ] ||
		skip "needs /dev/full and root (--log refuses another user's file)"
	labd_start -q --log /dev/full
	local i
	for i in 1 2; do
		run chat <<-'S'
			USER anonymous
		S
		[[ ${lines[1]} == "331 "* ]]
	done
	labd_stop
	run grep -c 'narration lost' "$LABD_LOG"
	[ "$output" = 1 ]
	grep -qx 'ftp-labd: narration lost from here on: writing the log: No space left on device' "$LABD_LOG"
}
