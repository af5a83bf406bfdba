#!/usr/bin/env bats
# The front door every program shares (common/cli.c): -h/--help and
# -V/--version, and exactly one line naming a bad option, then exit 64.

load lib/common
bats_require_minimum_version 1.5.0

PROGRAMS="ftp-raw ftp-dataconn ftp-pasv-calc ftp-labd ftp-tap"

@test "cli: -h and --help print usage on stdout and exit 0, in every program" {
	local p
	for p in $PROGRAMS; do
		run --separate-stderr "$p" -h
		[ "$status" -eq 0 ]
		[[ "$output" == usage:* ]]
		[ -z "$stderr" ]
		run --separate-stderr "$p" --help
		[ "$status" -eq 0 ]
		[[ "$output" == usage:* ]]
	done
}

@test "cli: -V and --version print 'NAME (rawftp) VERSION', in every program" {
	local p
	for p in $PROGRAMS; do
		run --separate-stderr "$p" -V
		[ "$status" -eq 0 ]
		[[ "$output" == "$p (rawftp) "[0-9]* ]]
		run --separate-stderr "$p" --version
		[ "$status" -eq 0 ]
		[[ "$output" == "$p (rawftp) "[0-9]* ]]
	done
}

# one_line_naming EXPECTED PROGRAM ARGS...: exit 64, stderr one line,
# starting with "PROGRAM: EXPECTED", nothing on stdout.
one_line_naming() {
	local want=$1
	shift
	run --separate-stderr "$@"
	[ "$status" -eq 64 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "${stderr_lines[0]}" == "$1: $want"* ]]
}

@test "cli: an unknown short option gets one line naming it, exit 64" {
	local p
	for p in $PROGRAMS; do
		one_line_naming "unknown option -Z" "$p" -Z
	done
}

@test "cli: an unknown long option gets one line naming it, exit 64" {
	local p
	for p in $PROGRAMS; do
		one_line_naming "unknown option --bogus" "$p" --bogus
		one_line_naming "unknown option --bogus" "$p" --bogus=3
	done
}

@test "cli: a missing option argument gets one line naming the option" {
	one_line_naming "option -w needs an argument" ftp-raw -w
	one_line_naming "option -w needs an argument" ftp-dataconn -w
	one_line_naming "option -f needs an argument" ftp-pasv-calc -f
	one_line_naming "option --format needs an argument" ftp-pasv-calc --format
	one_line_naming "option -r needs an argument" ftp-labd -r
	one_line_naming "option --log needs an argument" ftp-labd --log
	one_line_naming "option -l needs an argument" ftp-tap -l
	one_line_naming "option --data-timeout needs an argument" ftp-tap --data-timeout
}

@test "cli: an argument given to a flag is refused by name" {
	one_line_naming "option --read-only takes no argument" ftp-labd --read-only=yes
	one_line_naming "option --no-alg takes no argument" ftp-tap --no-alg=1
	one_line_naming "option --explain takes no argument" ftp-pasv-calc --explain=1
}

@test "cli: ftp-tap refuses an empty SERVER by name (64), starting nothing" {
	one_line_naming "SERVER is empty: give a host name or an address" ftp-tap -p 0 ""
}

@test "cli: --ladder with --log-dir is refused by name (the students' logs would stay empty)" {
	one_line_naming "--log-dir and --ladder: choose one" \
		ftp-labd -p 0 --ladder --log-dir "$BATS_TEST_TMPDIR/logs"
	[ ! -e "$BATS_TEST_TMPDIR/logs" ]
}

@test "cli: the options both servers take get the same line for a bad value" {
	local p
	for p in ftp-labd ftp-tap; do
		one_line_naming "-l: 'bogus' is not a numeric IPv4 or IPv6 address" \
			"$p" -l bogus 127.0.0.1
		one_line_naming "-p: '70000' is not a number from 0 to 65535" \
			"$p" -p 70000 127.0.0.1
		one_line_naming "--idle-timeout: '0' is not a number from 1 to 86400" \
			"$p" --idle-timeout 0 127.0.0.1
		one_line_naming "--data-timeout: 'soon' is not a number from 1 to 86400" \
			"$p" --data-timeout soon 127.0.0.1
		one_line_naming "--max-sessions: '0' is not a number from 1 to 100000" \
			"$p" --max-sessions 0 127.0.0.1
	done
}

@test "cli: the program name is the basename, not the path typed" {
	local p
	for p in ftp-labd ftp-tap; do
		run --separate-stderr "$RAWFTP_BIN/$p" -Z
		[ "$status" -eq 64 ]
		[[ "$stderr" == "$p: "* ]]
	done
}

@test "cli: a server whose 'listening on' line cannot be written stops: one line, exit 74" {
	[ -w /dev/full ] || skip "no /dev/full here"
	local err=$BATS_TEST_TMPDIR/err status
	# bounded: a server that goes on serving unseen is the defect
	status=0
	timeout 20 ftp-labd -p 0 -q -r "$BATS_TEST_TMPDIR" --stay-root \
		>/dev/full 2>"$err" || status=$?
	[ "$status" -eq 74 ]
	[ "$(cat "$err")" = "ftp-labd: writing to stdout: No space left on device" ]
	status=0
	timeout 20 ftp-tap -p 0 -q 127.0.0.1 >/dev/full 2>"$err" || status=$?
	[ "$status" -eq 74 ]
	[ "$(cat "$err")" = "ftp-tap: writing to stdout: No space left on device" ]
}
