#!/usr/bin/env bats
# ftp-pasv-calc as a user runs it: the seed's examples, every reply shape,
# reverse mode, output formats, filter mode, errors and exit codes.

load lib/common

@test "pasv-calc: the seed's 227 gives host and port" {
	run ftp-pasv-calc '227 Entering Passive Mode (192,168,150,90,195,149).'
	[ "$status" -eq 0 ]
	[ "$output" = "192.168.150.90 50069" ]
}

@test "pasv-calc: the seed's download reply 217*256+21 = 55573" {
	run ftp-pasv-calc '227 Entering Passive Mode (10,130,25,239,217,21)'
	[ "$output" = "10.130.25.239 55573" ]
}

@test "pasv-calc: bare six numbers" {
	run ftp-pasv-calc 192,168,150,90,195,149
	[ "$status" -eq 0 ]
	[ "$output" = "192.168.150.90 50069" ]
}

@test "pasv-calc: RFC 1123 shapes: no parens, spaces, =, CRLF, unquoted words" {
	[ "$(ftp-pasv-calc '227 Entering Passive Mode 10,0,0,1,4,1')" = "10.0.0.1 1025" ]
	[ "$(ftp-pasv-calc '227 Entering Passive Mode (10, 0, 0, 1, 4, 1).')" = "10.0.0.1 1025" ]
	[ "$(ftp-pasv-calc '227 =10,0,0,1,4,1')" = "10.0.0.1 1025" ]
	[ "$(ftp-pasv-calc "$(printf '227 OK (10,0,0,1,4,1)\r\n')")" = "10.0.0.1 1025" ]
	[ "$(ftp-pasv-calc 227 Entering Passive Mode 10,0,0,1,4,1)" = "10.0.0.1 1025" ]
}

@test "pasv-calc: output is ready for read and for \$(...)" {
	read -r host port < <(ftp-pasv-calc '227 Entering Passive Mode (127,0,0,1,195,149)')
	[ "$host" = 127.0.0.1 ]
	[ "$port" = 50069 ]
	set -- $(ftp-pasv-calc '227 (127,0,0,1,195,149)')
	[ "$#" -eq 2 ]
}

@test "pasv-calc: 229 with --host gives host and port" {
	run ftp-pasv-calc --host ::1 '229 Entering Extended Passive Mode (|||6446|)'
	[ "$status" -eq 0 ]
	[ "$output" = "::1 6446" ]
}

@test "pasv-calc: blanks before the code are skipped, for 227 and 229 alike" {
	run ftp-pasv-calc --host 10.0.0.1 ' 229 Entering Extended Passive Mode (|||5000|)'
	[ "$status" -eq 0 ]
	[ "$output" = "10.0.0.1 5000" ]
	run ftp-pasv-calc ' 227 Entering Passive Mode (1,2,3,4,5,6)'
	[ "$status" -eq 0 ]
	[ "$output" = "1.2.3.4 1286" ]
}

@test "pasv-calc: 229 without --host is refused, so 'read host port' cannot take the port for the host" {
	run --separate-stderr ftp-pasv-calc '229 Entering Extended Passive Mode (|||6446|)'
	[ "$status" -eq 64 ]
	[ "$output" = "" ]
	[ "$stderr" = "ftp-pasv-calc: a 229 reply names no host: give the control connection's host with -H HOST" ]
	run --separate-stderr ftp-pasv-calc -f shell '229 (|||6446|)'
	[ "$status" -eq 64 ]
	[ "$output" = "" ]
	# in filter mode too, at the 229 itself
	run --separate-stderr ftp-pasv-calc <<<$'220 hi\r\n229 Entering Extended Passive Mode (|||6446|)\r\n'
	[ "$status" -eq 64 ]
	[ "$output" = "" ]
	[[ $stderr == *"names no host"* ]]
}

@test "pasv-calc: filter mode with no 227 or 229 says so and exits 65 (PASV forgotten)" {
	run --separate-stderr ftp-pasv-calc <<<$'220 ready\r\n331 ok\r\n230 in\r\n150 Opening\r\n425 no data connection\r\n221 bye\r\n'
	[ "$status" -eq 65 ]
	[ "$output" = "" ]
	[ "$stderr" = "ftp-pasv-calc: no 227 or 229 reply came: was PASV (or EPSV) sent?" ]
	run --separate-stderr ftp-pasv-calc </dev/null
	[ "$status" -eq 65 ]
	[[ $stderr == *"no 227 or 229 reply came"* ]]
}

@test "pasv-calc: text that is not a reply is named as such, not parsed as a 229" {
	run --separate-stderr ftp-pasv-calc 'hello world'
	[ "$status" -eq 65 ]
	[ "$stderr" = "ftp-pasv-calc: not a reply: expected \"227 ... (h1,h2,h3,h4,p1,p2)\" or \"229 ... (|||port|)\"" ]
	run --separate-stderr ftp-pasv-calc 'Entering Passive Mode'
	[ "$status" -eq 65 ]
	[[ $stderr == *"not a reply"* ]]
	# the bare forms still work
	[ "$(ftp-pasv-calc '1,2,3,4,5,6')" = "1.2.3.4 1286" ]
	[ "$(ftp-pasv-calc -H ::1 '(|||6446|)')" = "::1 6446" ]
}

@test "pasv-calc: filter mode reads ftp-raw -T transcripts (timestamps skipped)" {
	run --separate-stderr ftp-pasv-calc <<<$'   0.001234 220 ready\r\n   0.120000 227 Entering Passive Mode (127,0,0,1,4,1)\r\n  12.500000 229 (|||6446|)\r\n' -H 127.0.0.1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "127.0.0.1 1025" ]
	[ "${lines[1]}" = "127.0.0.1 6446" ]
}

@test "pasv-calc: 229 accepts any delimiter, refuses mismatched ones" {
	[ "$(ftp-pasv-calc -H 127.0.0.1 '229 Entering Extended Passive Mode (!!!6446!)')" = "127.0.0.1 6446" ]
	run --separate-stderr ftp-pasv-calc '229 Entering Extended Passive Mode (|||6446!)'
	[ "$status" -eq 65 ]
	[ "$stderr" = "ftp-pasv-calc: mismatched delimiters" ]
}

@test "pasv-calc: out-of-range number names the field, exit 65" {
	run --separate-stderr ftp-pasv-calc '227 Entering Passive Mode (192,168,150,90,256,149)'
	[ "$status" -eq 65 ]
	[ "$output" = "" ]
	[ "$stderr" = "ftp-pasv-calc: value 256 out of range 0..255 in field 5" ]
}

@test "pasv-calc: wrong count of numbers, port 0, 65536, huge digits" {
	run --separate-stderr ftp-pasv-calc '227 (192,168,150,90,195)'
	[ "$status" -eq 65 ]
	[ "$stderr" = "ftp-pasv-calc: expected 6 numbers, found 5" ]
	run --separate-stderr ftp-pasv-calc '227 (1,2,3,4,0,0)'
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"out of range 1..65535"* ]]
	run --separate-stderr ftp-pasv-calc '229 (|||65536|)'
	[ "$status" -eq 65 ]
	[ "$stderr" = "ftp-pasv-calc: port 65536 out of range 1..65535" ]
	run --separate-stderr ftp-pasv-calc '227 (99999999999999999999,1,1,1,1,1)'
	[ "$status" -eq 65 ]
	[ "$stderr" = "ftp-pasv-calc: value 99999999999999999999 out of range 0..255 in field 1" ]
}

@test "pasv-calc: another reply code and empty input are errors" {
	run --separate-stderr ftp-pasv-calc '200 PORT command successful'
	[ "$status" -eq 65 ]
	[ "$stderr" = "ftp-pasv-calc: not a 227 or 229 reply (code 200)" ]
	run --separate-stderr ftp-pasv-calc ''
	[ "$status" -eq 65 ]
	[ -n "$stderr" ]
}

@test "pasv-calc: a 10 KB reply argument is handled, not crashed on" {
	long=$(printf '9%.0s' $(seq 1 10000))
	run --separate-stderr ftp-pasv-calc "227 ($long,1,1,1,1,1)"
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"out of range 0..255 in field 1" ]]
	[ ${#stderr} -lt 200 ]
}

@test "pasv-calc: --host replaces the advertised address and warns" {
	run --separate-stderr ftp-pasv-calc --host 203.0.113.7 '227 Entering Passive Mode (10,130,25,239,217,56)'
	[ "$status" -eq 0 ]
	[ "$output" = "203.0.113.7 55608" ]
	[[ "$stderr" == *"private address 10.130.25.239, not 203.0.113.7"* ]]
	run --separate-stderr ftp-pasv-calc --host 203.0.113.7 '227 (0,0,0,0,217,56)'
	[ "$output" = "203.0.113.7 55608" ]
	[[ "$stderr" == *"advertised 0.0.0.0"* ]]
	run --separate-stderr ftp-pasv-calc --host 203.0.113.7 '227 (198,51,100,1,217,56)'
	[[ "$stderr" == *"advertised 198.51.100.1, not 203.0.113.7"* ]]
	run --separate-stderr ftp-pasv-calc --host 10.130.25.239 '227 (10,130,25,239,217,56)'
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
}

@test "pasv-calc: 0.0.0.0 without --host warns but still answers" {
	run --separate-stderr ftp-pasv-calc '227 (0,0,0,0,4,1)'
	[ "$status" -eq 0 ]
	[ "$output" = "0.0.0.0 1025" ]
	[[ "$stderr" == *"not an address to connect to"*"--host"* ]]
}

@test "pasv-calc: --explain shows the arithmetic on stderr, stdout unchanged" {
	run --separate-stderr ftp-pasv-calc -e '227 Entering Passive Mode (192,168,150,90,195,149).'
	[ "$status" -eq 0 ]
	[ "$output" = "192.168.150.90 50069" ]
	[[ "$stderr" == *"address: 192.168.150.90"* ]]
	[[ "$stderr" == *"195*256+149 = 50069"* ]]
	run --separate-stderr ftp-pasv-calc --explain -H ::1 '229 Entering Extended Passive Mode (|||6446|)'
	[[ "$stderr" == *"port (6446)"* ]]
	[ "$output" = "::1 6446" ]
}

@test "pasv-calc: reverse --port and --eprt" {
	[ "$(ftp-pasv-calc --port 10.0.0.5 50069)" = "PORT 10,0,0,5,195,149" ]
	[ "$(ftp-pasv-calc --eprt 10.0.0.5 50069)" = "EPRT |1|10.0.0.5|50069|" ]
	[ "$(ftp-pasv-calc --eprt ::1 50069)" = "EPRT |2|::1|50069|" ]
	[ "$(ftp-pasv-calc --eprt 0:0:0:0:0:0:0:1 21)" = "EPRT |2|::1|21|" ]
	run --separate-stderr ftp-pasv-calc -e --port 10.0.0.5 50069
	[[ "$stderr" == *"50069 / 256 = 195 remainder 149"* ]]
}

@test "pasv-calc: --port with IPv6 says to use EPRT" {
	run --separate-stderr ftp-pasv-calc --port ::1 50069
	[ "$status" -eq 65 ]
	[ "$output" = "" ]
	[ "$stderr" = "ftp-pasv-calc: PORT carries only IPv4 addresses; use --eprt for ::1" ]
}

@test "pasv-calc: reverse mode rejects bad hosts and ports" {
	run --separate-stderr ftp-pasv-calc --port 10.0.0.256 21
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"not a numeric IPv4 or IPv6 address"* ]]
	run --separate-stderr ftp-pasv-calc --port 10.0.0.5 65536
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"port 65536 out of range 1..65535"* ]]
	run --separate-stderr ftp-pasv-calc --eprt ::1 0
	[ "$status" -eq 65 ]
	run --separate-stderr ftp-pasv-calc --port 10.0.0.5
	[ "$status" -eq 64 ]
	[[ "$stderr" == *"takes a host and a port"* ]]
}

@test "pasv-calc: output formats colon and shell" {
	[ "$(ftp-pasv-calc -f colon '227 (127,0,0,1,195,149)')" = "127.0.0.1:50069" ]
	[ "$(ftp-pasv-calc -f colon -H ::1 '229 (|||50069|)')" = "[::1]:50069" ]
	eval "$(ftp-pasv-calc --format shell '227 (127,0,0,1,195,149)')"
	[ "$FTP_DATA_HOST" = 127.0.0.1 ]
	[ "$FTP_DATA_PORT" = 50069 ]
	run ftp-pasv-calc -f yaml '227 (127,0,0,1,195,149)'
	[ "$status" -eq 64 ]
}

@test "pasv-calc: filter mode answers each 227/229 line of a transcript" {
	transcript=$'220 profbox FTP server ready.\r\n214-The following commands are recognized.\r\n227 is not a reply inside a 214\r\n214 Direct comments to ftp-bugs@profbox.\r\n331 Guest login ok.\r\n227 Entering Passive Mode (10,130,25,239,217,21)\r\n150 Opening BINARY mode data connection.\r\n226 Transfer complete.\r\n229 Entering Extended Passive Mode (|||6446|)\r\n221 Goodbye.\r\n'
	run --separate-stderr ftp-pasv-calc -H 10.130.25.239 <<<"$transcript"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "10.130.25.239 55573" ]
	[ "${lines[1]}" = "10.130.25.239 6446" ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$stderr" = "" ]
}

@test "pasv-calc: filter mode reports malformed lines by number and goes on" {
	run --separate-stderr ftp-pasv-calc <<<$'227 (1,2,3,4,5)\n200 ok\n227 (1,2,3,4,5,6)\n229 (|||9!)\n'
	[ "$status" -eq 65 ]
	[ "$output" = "1.2.3.4 1286" ]
	[[ "$stderr" == *"line 1: expected 6 numbers, found 5"* ]]
	[[ "$stderr" == *"line 4: mismatched delimiters"* ]]
	run ftp-pasv-calc <<<$'220 hi\n227 (1,2,3,4,5,6)\n'
	[ "$status" -eq 0 ]
}

@test "pasv-calc: filter mode answers each line as it arrives (live pipe)" {
	fifo=$BATS_TEST_TMPDIR/in
	mkfifo "$fifo"
	ftp-pasv-calc <"$fifo" >"$BATS_TEST_TMPDIR/out" &
	pid=$!
	exec 5>"$fifo"
	printf '227 (127,0,0,1,4,1)\r\n' >&5
	# the answer must come while stdin is still open
	wait_until 50 grep -q '^127.0.0.1 1025$' "$BATS_TEST_TMPDIR/out"
	exec 5>&-
	wait "$pid"
}

@test "pasv-calc: NUL bytes and a long line in filter mode" {
	run --separate-stderr ftp-pasv-calc < <(printf '227 (1,2,3\0,4,5,6)\n'; head -c 20000 /dev/zero | tr '\0' 'x'; printf '\n227 (1,2,3,4,5,6)\n')
	[ "$status" -eq 65 ]
	[ "$output" = "1.2.3.4 1286" ]
}

@test "pasv-calc: --help and --version on stdout, unknown option exit 64" {
	run --separate-stderr ftp-pasv-calc --help
	[ "$status" -eq 0 ]
	[[ "$output" == usage:* ]]
	run ftp-pasv-calc --version
	[ "$status" -eq 0 ]
	[[ "$output" == "ftp-pasv-calc (rawftp) "* ]]
	run --separate-stderr ftp-pasv-calc --bogus
	[ "$status" -eq 64 ]
	[ "$stderr" = "ftp-pasv-calc: unknown option --bogus" ]
	run --separate-stderr ftp-pasv-calc --host 'a;rm -rf /' '227 (1,2,3,4,5,6)'
	[ "$status" -eq 64 ]
}

@test "pasv-calc: a full stdout is an error: one line, exit 74, in every mode" {
	[ -w /dev/full ] || skip "no /dev/full here"
	run --separate-stderr bash -c "ftp-pasv-calc '227 (127,0,0,1,4,1)' >/dev/full"
	[ "$status" -eq 74 ]
	[ "$stderr" = "ftp-pasv-calc: writing to stdout: No space left on device" ]
	run bash -c "ftp-pasv-calc --port 127.0.0.1 1025 >/dev/full"
	[ "$status" -eq 74 ]
	run bash -c "echo '227 (127,0,0,1,4,1)' | ftp-pasv-calc >/dev/full"
	[ "$status" -eq 74 ]
}
