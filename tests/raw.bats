#!/usr/bin/env bats
# ftp-raw against a scripted fake server (tests/helpers/fake-ftpd.c): what
# goes on the wire, lock-step ordering, the nasty replies, exit codes.

load lib/common
load lib/fake
bats_require_minimum_version 1.5.0

teardown() {
	fake_stop
}

# A port on 127.0.0.1 where nothing listens (bounded tries).
closed_port() {
	local port i
	for ((i = 0; i < 50; i++)); do
		port=$((20000 + RANDOM % 20000))
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null ||
			{ echo "$port"; return 0; }
	done
	return 1
}

@test "raw: --help and --version on stdout, exit 0" {
	run --separate-stderr ftp-raw --help
	[ "$status" -eq 0 ]
	[[ "$output" == usage:\ ftp-raw* ]]
	[[ "$output" == *--no-wait* ]]
	[ -z "$stderr" ]
	run --separate-stderr ftp-raw --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^ftp-raw\ \(rawftp\)\ [0-9]+\.[0-9]+ ]]
	[ "$(ftp-raw -h)" = "$(ftp-raw --help)" ]
	[ "$(ftp-raw -V)" = "$(ftp-raw --version)" ]
}

@test "raw: usage errors exit 64 with one line naming the problem" {
	run --separate-stderr ftp-raw
	[ "$status" -eq 64 ]
	[[ "$stderr" == "ftp-raw: missing host"* ]]
	run --separate-stderr ftp-raw 127.0.0.1 99999
	[ "$status" -eq 64 ]
	[[ "$stderr" == ftp-raw:*99999* ]]
	run --separate-stderr ftp-raw -w soon 127.0.0.1
	[ "$status" -eq 64 ]
	[[ "$stderr" == "ftp-raw: -w: 'soon' is not a number from 1 to 86400"* ]]
	run --separate-stderr ftp-raw --bogus 127.0.0.1
	[ "$status" -eq 64 ]
	[[ "$stderr" == "ftp-raw: unknown option --bogus"* ]]
	run --separate-stderr ftp-raw -x 127.0.0.1
	[ "$status" -eq 64 ]
	[[ "$stderr" == "ftp-raw: unknown option -x"* ]]
	run --separate-stderr ftp-raw a b c
	[ "$status" -eq 64 ]
}

@test "raw: connection refused exits 69, a name that does not resolve 68" {
	port=$(closed_port)
	run --separate-stderr ftp-raw 127.0.0.1 "$port" </dev/null
	[ "$status" -eq 69 ]
	[[ "$stderr" == "ftp-raw: connect to 127.0.0.1 port $port: "* ]]
	run --separate-stderr ftp-raw -4 ::1 21 </dev/null
	[ "$status" -eq 68 ]
	[[ "$stderr" == "ftp-raw: cannot resolve ::1"* ]]
}

@test "raw: every stdin line goes out with one CRLF, never doubled" {
	fake_start <<-'EOF'
		reply 220 fake ready
		read
		reply 331 ok
		read
		reply 230 in
		read
		reply 221 bye
		close
	EOF
	run --separate-stderr ftp-raw 127.0.0.1 "$FAKE_PORT" \
		< <(printf 'USER lf\nPASS crlf\r\nQUIT')
	[ "$status" -eq 0 ]
	fake_wait
	run cat "$FAKE_LOG"
	[ "${lines[1]}" = 'C: USER lf\x0d\x0a' ]
	[ "${lines[2]}" = 'C: PASS crlf\x0d\x0a' ]
	[ "${lines[3]}" = 'C: QUIT\x0d\x0a' ]
}

@test "raw: replies reach stdout byte for byte, CRLF kept" {
	fake_start <<-'EOF'
		reply 220 fake ready
		read
		reply 221 bye
		close
	EOF
	printf 'QUIT\n' | ftp-raw 127.0.0.1 "$FAKE_PORT" >"$BATS_TEST_TMPDIR/out"
	printf '220 fake ready\r\n221 bye\r\n' >"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/want"
}

@test "raw: lock-step waits for the end of a multi-line greeting" {
	fake_start <<-'EOF'
		reply 220-first line of the greeting
		reply 220-second line
		sleep 300
		peek
		reply 220 end of greeting
		read
		reply 221 bye
		close
	EOF
	run --separate-stderr ftp-raw 127.0.0.1 "$FAKE_PORT" <<<'QUIT'
	[ "$status" -eq 0 ]
	fake_wait
	grep -q '^peek: quiet$' "$FAKE_LOG"
	grep -q '^C: QUIT' "$FAKE_LOG"
}

@test "raw: --no-wait sends at once, as netcat would" {
	fake_start <<-'EOF'
		reply 220-first line of the greeting
		sleep 300
		peek
		reply 220 end of greeting
		read
		reply 221 bye
		close
	EOF
	run --separate-stderr ftp-raw --no-wait 127.0.0.1 "$FAKE_PORT" <<<'QUIT'
	[ "$status" -eq 0 ]
	fake_wait
	grep -q '^peek: early$' "$FAKE_LOG"
}

@test "raw: a line with the same code and '-' does not end a multi-line reply" {
	fake_start <<-'EOF'
		reply 220 ready
		read
		reply 211-Features:
		reply  211 indented: not the end
		reply 211-still inside
		reply 200 another code: not the end
		sleep 200
		peek
		reply 211 End
		read
		reply 221 bye
		close
	EOF
	run --separate-stderr ftp-raw 127.0.0.1 "$FAKE_PORT" \
		< <(printf 'FEAT\nQUIT\n')
	[ "$status" -eq 0 ]
	fake_wait
	grep -q '^peek: quiet$' "$FAKE_LOG"
	[ "${lines[5]}" = $'211 End\r' ]
	[ "${lines[6]}" = $'221 bye\r' ]
}

@test "raw: a 1xx reply is preliminary: the next command waits for 226" {
	fake_start <<-'EOF'
		reply 220 ready
		read
		reply 150 Opening BINARY mode data connection
		sleep 200
		peek
		reply 226 Transfer complete.
		read
		reply 221 bye
		close
	EOF
	run --separate-stderr ftp-raw 127.0.0.1 "$FAKE_PORT" \
		< <(printf 'RETR 01test.txt\nQUIT\n')
	[ "$status" -eq 0 ]
	fake_wait
	grep -q '^peek: quiet$' "$FAKE_LOG"
	grep -q '^C: QUIT' "$FAKE_LOG"
}

@test "raw: a 120 greeting means wait for the 220" {
	fake_start <<-'EOF'
		reply 120 Service ready in 1 minute
		sleep 200
		peek
		reply 220 ready now
		read
		reply 221 bye
		close
	EOF
	run --separate-stderr ftp-raw 127.0.0.1 "$FAKE_PORT" <<<'QUIT'
	[ "$status" -eq 0 ]
	fake_wait
	grep -q '^peek: quiet$' "$FAKE_LOG"
}

@test "raw: Telnet options are refused and IAC bytes never shown" {
	fake_start <<-'EOF'
		send \xff\xfb\x01220 ready \xff\xfd\x18with\xff\xff255\r\n
		read
		send \xff\xfb\x01\xff\xfa\x18\x01\xff\xf0221 bye\r\n
		close
	EOF
	ftp-raw 127.0.0.1 "$FAKE_PORT" <<<'QUIT' >"$BATS_TEST_TMPDIR/out"
	printf '220 ready with\377255\r\n221 bye\r\n' >"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/want"
	fake_wait
	# DONT ECHO, WONT TERMINAL-TYPE, once each, before the command
	grep -qx 'C: \\xff\\xfe\\x01\\xff\\xfc\\x18QUIT\\x0d\\x0a' "$FAKE_LOG"
}

@test "raw: a 255 byte in a command is sent as IAC IAC" {
	fake_start <<-'EOF'
		reply 220 ready
		read
		reply 221 bye
		close
	EOF
	printf 'SITE \377x\n' | ftp-raw --no-wait 127.0.0.1 "$FAKE_PORT" >/dev/null
	fake_wait
	grep -qx 'C: SITE \\xff\\xffx\\x0d\\x0a' "$FAKE_LOG"
}

@test "raw: LF-only replies still count as lines" {
	fake_start <<-'EOF'
		send 220 ready, LF only\n
		read
		send 221 bye\n
		close
	EOF
	run --separate-stderr ftp-raw 127.0.0.1 "$FAKE_PORT" <<<'QUIT'
	[ "$status" -eq 0 ]
	[ "$output" = $'220 ready, LF only\n221 bye' ]
}

@test "raw: a reply without CRLF, then close: shown, notice, exit 74" {
	fake_start <<-'EOF'
		send 220 no line ending at all
		close
	EOF
	run --separate-stderr ftp-raw 127.0.0.1 "$FAKE_PORT" <<<'QUIT'
	[ "$status" -eq 74 ]
	[ "$output" = "220 no line ending at all" ]
	[ "$stderr" = "ftp-raw: 127.0.0.1 closed the connection in the middle of a reply" ]
}

@test "raw: a 1 MB reply line passes whole and the session goes on" {
	fake_start <<-'EOF'
		send 220-
		repeat 1048576 x
		send \r\n220 end\r\n
		read
		reply 221 bye
		close
	EOF
	ftp-raw 127.0.0.1 "$FAKE_PORT" <<<'QUIT' >"$BATS_TEST_TMPDIR/out"
	[ "$(wc -c <"$BATS_TEST_TMPDIR/out")" -eq $((4 + 1048576 + 2 + 9 + 9)) ]
	[ "$(tr -d -c x <"$BATS_TEST_TMPDIR/out" | wc -c)" -eq 1048576 ]
	tail -n 2 "$BATS_TEST_TMPDIR/out" | cmp - <(printf '220 end\r\n221 bye\r\n')
	fake_wait
	grep -q '^C: QUIT' "$FAKE_LOG"
}

@test "raw: NUL bytes and invalid UTF-8 pass through unchanged" {
	fake_start <<-'EOF'
		send 220 nul\0here \xc3\x28 \xff\xff \xed\xa0\x80 \xfe\r\n
		read
		reply 221 bye
		close
	EOF
	ftp-raw 127.0.0.1 "$FAKE_PORT" <<<'QUIT' >"$BATS_TEST_TMPDIR/out"
	printf '220 nul\0here \303\050 \377 \355\240\200 \376\r\n221 bye\r\n' \
		>"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/want"
}

@test "raw: lines with malformed codes are shown but end no reply" {
	fake_start <<-'EOF'
		reply 22 two digits
		reply 2200 four digits
		reply abc letters
		reply 099 below one hundred
		reply
		sleep 200
		peek
		reply 220 the real greeting
		read
		reply 221 bye
		close
	EOF
	run --separate-stderr ftp-raw -e 127.0.0.1 "$FAKE_PORT" <<<'QUIT'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 7 ]
	[ "${lines[5]}" = $'220 the real greeting\r' ]
	[ "$(grep -c '^# not a reply line' <<<"$stderr")" -eq 5 ]
	fake_wait
	grep -q '^peek: quiet$' "$FAKE_LOG"
}

@test "raw: the server closes mid-reply: what came is shown, exit 74" {
	fake_start <<-'EOF'
		reply 220 ready
		read
		reply 214-The following commands are recognized.
		reply  USER PASS HELP
		close
	EOF
	run --separate-stderr ftp-raw 127.0.0.1 "$FAKE_PORT" <<<'HELP'
	[ "$status" -eq 74 ]
	[ "${lines[2]}" = $' USER PASS HELP\r' ]
	[ "$stderr" = "ftp-raw: 127.0.0.1 closed the connection in the middle of a reply" ]
}

@test "raw: 421 then close: the reply, a one-line notice, exit 74" {
	fake_start <<-'EOF'
		reply 220 ready
		read
		reply 421 Timeout (300 seconds): closing control connection.
		close
	EOF
	run --separate-stderr ftp-raw 127.0.0.1 "$FAKE_PORT" < <(printf 'NOOP\nPWD\n')
	[ "$status" -eq 74 ]
	[ "${lines[1]}" = $'421 Timeout (300 seconds): closing control connection.\r' ]
	[ "$stderr" = "ftp-raw: 127.0.0.1 closed the connection (421)" ]
}

@test "raw: a silent server meets -w: exit 75 with a notice" {
	fake_start <<-'EOF'
		silent
	EOF
	run --separate-stderr ftp-raw -w 1 127.0.0.1 "$FAKE_PORT" <<<'USER x'
	[ "$status" -eq 75 ]
	[ -z "$output" ]
	[ "$stderr" = "ftp-raw: no complete reply from 127.0.0.1 in 1 seconds" ]
	fake_wait
	refute grep -q '^C:' "$FAKE_LOG"
}

@test "raw: -w shows an unterminated line that came before the silence" {
	fake_start <<-'EOF'
		send 220 half a line
		silent
	EOF
	run --separate-stderr ftp-raw -w 1 127.0.0.1 "$FAKE_PORT" <<<'USER x'
	[ "$status" -eq 75 ]
	[ "$output" = "220 half a line" ]
}

@test "raw: --fail stops at the first 4xx/5xx with exit 1; without it, goes on" {
	fake_start <<-'EOF'
		reply 220 ready
		read
		reply 530 Not logged in.
		read
		reply 221 bye
		close
	EOF
	run --separate-stderr ftp-raw --fail 127.0.0.1 "$FAKE_PORT" \
		< <(printf 'PWD\nQUIT\n')
	[ "$status" -eq 1 ]
	[ "${lines[1]}" = $'530 Not logged in.\r' ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$stderr" = "ftp-raw: stopping at reply 530 (--fail)" ]
	fake_wait
	refute grep -q '^C: QUIT' "$FAKE_LOG"

	fake_start <<-'EOF'
		reply 220 ready
		read
		reply 530 Not logged in.
		read
		reply 221 bye
		close
	EOF
	run --separate-stderr ftp-raw 127.0.0.1 "$FAKE_PORT" \
		< <(printf 'PWD\nQUIT\n')
	[ "$status" -eq 0 ]
	[ "${lines[2]}" = $'221 bye\r' ]
}

@test "raw: --fail also catches a refusing greeting" {
	fake_start <<-'EOF'
		reply 421 Too many connections.
		close
	EOF
	run --separate-stderr ftp-raw --fail 127.0.0.1 "$FAKE_PORT" </dev/null
	[ "$status" -eq 1 ]
}

@test "raw: -v traces commands on stderr with PASS and ACCT masked" {
	fake_start <<-'EOF'
		reply 220 ready
		read
		reply 331 ok
		read
		reply 332 account?
		read
		reply 230 in
		read
		reply 221 bye
		close
	EOF
	run --separate-stderr ftp-raw -v 127.0.0.1 "$FAKE_PORT" \
		< <(printf 'user anonymous\npass s3cret pw\nAcct money\nQUIT\n')
	[ "$status" -eq 0 ]
	[ "$stderr" = $'---> user anonymous\n---> pass XXXX\n---> Acct XXXX\n---> QUIT' ]
	[[ "$output" != *s3cret* ]]
	fake_wait
	grep -qx 'C: pass s3cret pw\\x0d\\x0a' "$FAKE_LOG"
}

@test "raw: -T puts a relative timestamp on every line of both streams" {
	fake_start <<-'EOF'
		reply 220-ready
		reply 220 ready
		read
		reply 221 bye
		close
	EOF
	run --separate-stderr ftp-raw -T -v 127.0.0.1 "$FAKE_PORT" <<<'QUIT'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	for l in "${lines[@]}"; do
		[[ "$l" =~ ^\ *[0-9]+\.[0-9]{6}\ 2[0-9][0-9][-\ ] ]]
	done
	[[ "$stderr" =~ ^\ *[0-9]+\.[0-9]{6}\ ---\>\ QUIT$ ]]
}

@test "raw: -e explains each reply from the table" {
	fake_start <<-'EOF'
		reply 220 ready
		read
		reply 331 send it
		read
		reply 299 odd success
		read
		reply 221 bye
		close
	EOF
	run --separate-stderr ftp-raw -e 127.0.0.1 "$FAKE_PORT" \
		< <(printf 'USER a\nSITE x\nQUIT\n')
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"# 331 User name okay, need password: "*"send PASS"* ]]
	[[ "$stderr" == *"# 299 is not a standard code; 2xx means positive completion"* ]]
	[[ "$stderr" == *"# 221 Service closing control connection: "* ]]
	[ "$(grep -c '^# ' <<<"$stderr")" -eq 4 ]
}

@test "raw: -e on 227 and 229: address, p1*256+p2, the ftp-dataconn line" {
	fake_start <<-'EOF'
		reply 220 ready
		read
		reply 227 Entering Passive Mode (10,130,25,239,217,21)
		read
		reply 227 =127,0,0,1,195,149
		read
		reply 227 Entering Passive Mode 0,0,0,0,4,1
		read
		reply 227 Entering Passive Mode (8,8,8,8,4,1).
		read
		reply 229 Entering Extended Passive Mode (!!!50069!)
		read
		reply 227 nothing useful here
		read
		reply 221 bye
		close
	EOF
	run --separate-stderr ftp-raw -e 127.0.0.1 "$FAKE_PORT" \
		< <(printf 'PASV\nPASV\nPASV\nPASV\nEPSV\nPASV\nQUIT\n')
	[ "$status" -eq 0 ]
	echo "$stderr"
	# the seed's private address is not ours: use the control host
	grep -qx '# data address 10.130.25.239, port 217\*256+21 = 55573' <<<"$stderr"
	grep -qx '# 10.130.25.239 is not reachable from here: use the control connection'"'"'s address 127.0.0.1' <<<"$stderr"
	grep -qx '# next: ftp-dataconn 127.0.0.1 55573' <<<"$stderr"
	grep -qx '# next: ftp-dataconn 127.0.0.1 50069' <<<"$stderr"
	grep -qx '# next: ftp-dataconn 127.0.0.1 1025' <<<"$stderr"
	grep -qx '# next: ftp-dataconn 8.8.8.8 1025' <<<"$stderr"
	grep -qx '# data port 195\*256+149 = 50069, on the control connection'"'"'s host 127.0.0.1' <<<"$stderr"
	grep -q '^# 227 without a usable address: ' <<<"$stderr"
	[ "$(grep -c '^# next: ' <<<"$stderr")" -eq 5 ]
}

@test "raw: a stdin line over 4096 bytes is refused, the rest still sent" {
	fake_start <<-'EOF'
		reply 220 ready
		read
		reply 200 ok
		read
		reply 221 bye
		close
	EOF
	{
		printf 'NOOP\n'
		printf 'SITE %05000d\n' 0
		printf 'QUIT\n'
	} >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr ftp-raw 127.0.0.1 "$FAKE_PORT" <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 65 ]
	[ "$stderr" = "ftp-raw: line 2 of stdin is longer than 4096 bytes: not sent" ]
	fake_wait
	[ "$(grep -c '^C: ' "$FAKE_LOG")" -eq 2 ]
	grep -q '^C: QUIT' "$FAKE_LOG"
}

@test "raw: a line of exactly 4096 bytes is sent whole" {
	fake_start <<-'EOF'
		reply 220 ready
		read
		reply 500 too long for me
		read
		reply 221 bye
		close
	EOF
	{ printf 'SITE %04091d\r\n' 0; printf 'QUIT\n'; } >"$BATS_TEST_TMPDIR/in"
	[ "$(head -n 1 "$BATS_TEST_TMPDIR/in" | wc -c)" -eq 4098 ]
	run --separate-stderr ftp-raw 127.0.0.1 "$FAKE_PORT" <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	fake_wait
	[ "$(grep '^C: SITE' "$FAKE_LOG" | wc -c)" -eq $((3 + 4096 + 8 + 1)) ]
}

@test "raw: no colour when stdout is not a terminal, or with NO_COLOR" {
	fake_start <<-'EOF'
		reply 220 ready
		read
		reply 221 bye
		close
	EOF
	ftp-raw 127.0.0.1 "$FAKE_PORT" <<<'QUIT' >"$BATS_TEST_TMPDIR/out"
	refute grep -q $'\033' "$BATS_TEST_TMPDIR/out"
}

@test "raw: colour by reply class on a terminal, none there with NO_COLOR" {
	require script
	for nc in "" 1; do
		fake_start <<-'EOF'
			reply 220 ready
			read
			reply 530 no
			read
			reply 221 bye
			close
		EOF
		# the terminal's input stays open until ftp-raw has ended: at
		# its end, script would hang up on ftp-raw before the QUIT
		rm -f "$BATS_TEST_TMPDIR/done"
		NO_COLOR=$nc script -qec "ftp-raw 127.0.0.1 $FAKE_PORT; s=\$?; : >'$BATS_TEST_TMPDIR/done'; exit \$s" \
			/dev/null < <(printf 'PWD\nQUIT\n'
				wait_until 100 test -e "$BATS_TEST_TMPDIR/done") \
			>"$BATS_TEST_TMPDIR/tty$nc"
		fake_wait
	done
	grep -q $'\033\\[32m220 ready\033\\[0m' "$BATS_TEST_TMPDIR/tty"
	grep -q $'\033\\[31m530 no\033\\[0m' "$BATS_TEST_TMPDIR/tty"
	grep -q '530 no' "$BATS_TEST_TMPDIR/tty1"
	refute grep -q $'\033\\[3' "$BATS_TEST_TMPDIR/tty1"
}

@test "raw: blank lines are skipped in lock-step, not waited on" {
	fake_start <<-'EOF'
		reply 220 ready
		read
		reply 221 bye
		close
	EOF
	run --separate-stderr ftp-raw 127.0.0.1 "$FAKE_PORT" < <(printf '\n\r\nQUIT\n')
	[ "$status" -eq 0 ]
	fake_wait
	[ "$(sed -n 2p "$FAKE_LOG")" = 'C: QUIT\x0d\x0a' ]
}

@test "raw: stdin ends without QUIT: exit 0 once the last reply is in" {
	fake_start <<-'EOF'
		reply 220 ready
		read
		reply 200-NOOP in two lines
		reply 200 done
		silent
	EOF
	run --separate-stderr ftp-raw -w 10 127.0.0.1 "$FAKE_PORT" <<<'NOOP'
	[ "$status" -eq 0 ]
	[ "${lines[2]}" = $'200 done\r' ]
}

@test "raw: the server closes after 221 although a reply went missing: a normal end, exit 0, said on stderr" {
	# issue 11, defect 7 (seen with pure-ftpd): NOOP never answered
	fake_start <<-'EOF2'
		reply 220 fake ready
		read
		read
		reply 221 bye
		close
	EOF2
	run --separate-stderr ftp-raw --no-wait -w 10 127.0.0.1 "$FAKE_PORT" < <(printf 'NOOP\nQUIT\n')
	echo "$output$stderr"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = $'221 bye\r' ]
	[ "$stderr" = "ftp-raw: 1 command got no reply before the 221" ]
}
