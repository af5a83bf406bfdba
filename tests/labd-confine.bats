#!/usr/bin/env bats
# ftp-labd: confinement.  A catalogue of attempts to read, write, list or
# stat something outside ROOT: "..", absolute paths, "//", symlinks inside
# ROOT pointing out (absolute, relative, through /proc), encoded tricks.
# Every test runs with openat2 (RESOLVE_BENEATH), with RAWFTP_PORTABLE=1
# (the component walk with O_NOFOLLOW), and with a named user whose home
# is the folder (--users "alice:pw:root", the server's ROOT one folder up,
# where "outside" is then): a home confines as ROOT does.

load lib/common

setup() {
	[ -x /usr/bin/python3 ] ||
		skip "/usr/bin/python3 drives the control channel in these tests"
	T=$BATS_TEST_TMPDIR
	LABD_ROOT=$T/root
	OUT=$T/outside
	mkdir -p "$LABD_ROOT/sub" "$OUT"
	echo 'TOP SECRET' >"$OUT/secret.txt"
	echo 'inside' >"$LABD_ROOT/a.txt"
	echo 'in sub' >"$LABD_ROOT/sub/s.txt"
	ln -s /etc "$LABD_ROOT/abs"
	ln -s "$OUT" "$LABD_ROOT/absout"
	ln -s ../outside "$LABD_ROOT/up"
	ln -s ../outside/secret.txt "$LABD_ROOT/secretlink"
	ln -s ../../outside "$LABD_ROOT/sub/deep"
	ln -s /proc/self/root "$LABD_ROOT/procself"
	ln -s sub "$LABD_ROOT/inside"
	ln -s sub/s.txt "$LABD_ROOT/insidefile"
	ln -s loop "$LABD_ROOT/loop"
}

teardown() {
	labd_stop
}

load lib/chat

# Nothing outside changed, nothing of it was shown.
outside_untouched() {
	[ "$(cat "$OUT/secret.txt")" = 'TOP SECRET' ]
	[ "$(ls -A "$OUT")" = secret.txt ]
	refute grep -rqs 'TOP SECRET' "$T/got" "$T"/got-* 2>/dev/null
	[[ $output != *"TOP SECRET"* ]]
	[[ $output != *"root:"* ]]
}

# In the home mode, the scripts' anonymous login is alice's.
eval "$(declare -f chat | sed '1s/^chat/chat_as_written/')"
chat() {
	if [ -n "${AS_ALICE:-}" ]; then
		sed -e 's/^\([[:space:]]*\)USER anonymous$/\1USER alice/' \
			-e 's/^\([[:space:]]*\)PASS x$/\1PASS pw/' | chat_as_written
	else
		chat_as_written
	fi
}

# The server's ROOT is $T; alice's home is $T/root, the usual LABD_ROOT.
start_as_alice() {
	local home=$LABD_ROOT
	printf 'alice:pw:%s\n' "$(basename "$home")" >"$T/users"
	LABD_ROOT=$(dirname "$home") labd_start --users "$T/users"
	LABD_ROOT=$home
	AS_ALICE=1
}

both_modes() {
	local portable
	for portable in 0 1; do
		RAWFTP_PORTABLE=$portable labd_start
		"$@" "$portable"
		labd_stop
	done
	start_as_alice
	"$@" 0
	labd_stop
	AS_ALICE=
	grep -q '\[1 alice\] login: user alice, home root$' "$LABD_LOG"
}

reads() {
	run chat <<-S
		USER anonymous
		PASS x
		!pasv
		!get $T/got-1 RETR ../outside/secret.txt
		!pasv
		!get $T/got-2 RETR /../../outside/secret.txt
		!pasv
		!get $T/got-3 RETR ../../../../../../etc/passwd
		!pasv
		!get $T/got-4 RETR //etc//passwd
		!pasv
		!get $T/got-5 RETR secretlink
		!pasv
		!get $T/got-6 RETR up/secret.txt
		!pasv
		!get $T/got-7 RETR sub/deep/secret.txt
		!pasv
		!get $T/got-8 RETR abs/passwd
		!pasv
		!get $T/got-9 RETR absout/secret.txt
		!pasv
		!get $T/got-10 RETR procself/etc/passwd
		!pasv
		!get $T/got-11 RETR %2e%2e/outside/secret.txt
		!pasv
		!get $T/got-12 RETR ..\\outside\\secret.txt
		!pasv
		!get $T/got-13 RETR loop
		SIZE secretlink
		MDTM up/secret.txt
		MLST absout/secret.txt
		STAT up
	S
	[ "$status" -eq 0 ]
	outside_untouched
	# 13 RETRs and 4 stats, each refused with 550
	[ "$(grep -c '^550 ' <<<"$output")" -eq 17 ]
	[[ $output != *"150 "* ]]
	grep -q 'confine: /secretlink refused' "$LABD_LOG"
}

@test "labd confine: reads through .., /, //, symlinks out and /proc are refused" {
	both_modes reads
}

listings() {
	run chat <<-S
		USER anonymous
		PASS x
		CWD ../../..
		PWD
		CWD up
		CWD abs
		CWD sub/deep
		CWD procself
		!pasv
		!get $T/got-l1 LIST ..
		!pasv
		!get $T/got-l2 NLST -la ../
		!pasv
		LIST up
		MLSD absout
		NLST sub/deep
		STAT ../
	S
	[ "$status" -eq 0 ]
	outside_untouched
	[[ ${lines[3]} == "250 Directory changed to /." ]]
	[[ ${lines[4]} == '257 "/" is the current directory.' ]]
	[[ ${lines[5]} == "550 /up: "* ]]
	[[ ${lines[6]} == "550 /abs: "* ]]
	[[ ${lines[7]} == "550 /sub/deep: "* ]]
	[[ ${lines[8]} == "550 /procself: "* ]]
	# ".." of the root is the root: the listing shows ROOT's own files
	grep -q ' a.txt' "$T/got-l1"
	grep -q '^a.txt' "$T/got-l2"
	# and not its parent, where "outside" and "root" are entries (a
	# link's "-> ../outside" is ROOT's own entry, and may show)
	refute grep -qE $' (outside|root)\r$' "$T/got-l1"
	refute grep -qE $'^(outside|root)\r$' "$T/got-l2"
	[ "$(grep -c '^550 ' <<<"$output")" -eq 7 ]
}

@test "labd confine: CWD and listings cannot leave ROOT" {
	both_modes listings
}

writes() {
	printf 'evil\n' >"$T/evil"
	run chat <<-S
		USER anonymous
		PASS x
		!pasv
		!put $T/evil STOR up/new.txt
		!pasv
		!put $T/evil STOR ../outside/new2.txt
		!pasv
		!put $T/evil APPE secretlink
		!pasv
		!put $T/evil STOR absout/new3.txt
		MKD up/newdir
		MKD sub/deep/newdir
		DELE up/secret.txt
		DELE absout/secret.txt
		RMD up
		RNFR up/secret.txt
		RNFR a.txt
		RNTO up/stolen.txt
		RNFR a.txt
		RNTO absout/stolen.txt
		!pasv
		!put $T/evil STOR secretlink
	S
	[ "$status" -eq 0 ]
	outside_untouched
	[ ! -e "$OUT/new.txt" ] && [ ! -e "$OUT/new3.txt" ]
	[ ! -e "$T/new2.txt" ]
	# ../outside/new2.txt is /outside/new2.txt inside ROOT: harmless
	[ -f "$LABD_ROOT/a.txt" ]
	# STOR over a symlink replaces the link inside ROOT, not its target
	[ -f "$LABD_ROOT/secretlink" ] && [ ! -L "$LABD_ROOT/secretlink" ]
	[ "$(cat "$LABD_ROOT/secretlink")" = evil ]
}

@test "labd confine: STOR, APPE, MKD, DELE, RMD, RNFR/RNTO cannot reach outside" {
	both_modes writes
}

mfmt_outside() {
	touch -d '2020-01-01 00:00:00 UTC' "$OUT/secret.txt"
	run chat <<-'S'
		USER anonymous
		PASS x
		MFMT 20010203040506 up/secret.txt
		MFMT 20010203040506 secretlink
		MFMT 20010203040506 absout/secret.txt
		MFMT 20010203040506 sub/deep/secret.txt
		MFMT 20010203040506 /../outside/secret.txt
	S
	[ "$status" -eq 0 ]
	[ "$(grep -c '^550 ' <<<"$output")" -eq 5 ]
	[ "$(TZ=UTC date -r "$OUT/secret.txt" +%Y)" = 2020 ]
	outside_untouched
}

@test "labd confine: MFMT cannot change a time outside ROOT" {
	both_modes mfmt_outside
}

inside_links() {
	run chat <<-S
		USER anonymous
		PASS x
		CWD inside
		!pasv
		!get $T/got-in RETR /insidefile
	S
	if [ "$1" = 1 ]; then
		# the portable walk follows no symlink at all
		[[ ${lines[3]} == "550 /inside: symbolic link not followed." ]]
		[[ $output == *"550 /insidefile: symbolic link not followed."* ]]
	else
		[[ ${lines[3]} == "250 Directory changed to /inside." ]]
		[ "$(cat "$T/got-in")" = 'in sub' ]
	fi
}

@test "labd confine: symlinks inside ROOT: followed with openat2, refused by the portable walk" {
	both_modes inside_links
}

@test "labd confine: NUL and CR bytes and over-long paths are refused" {
	labd_start
	long=$(printf 'd/%.0s' {1..600})
	run chat <<-S
		USER anonymous
		PASS x
		!raw b'RETR a.txt\x00../../outside/secret.txt\r\n'
		!read
		!raw b'USER a\rb\r\n'
		!read
		CWD $long
		NOOP
	S
	[[ ${lines[3]} == "501 NUL or CR byte in the command line." ]]
	[[ ${lines[4]} == "501 NUL or CR byte in the command line." ]]
	[[ ${lines[5]} == "550 Path too long (the limit is 1023 bytes)." ]]
	[[ ${lines[6]} == "200 NOOP ok." ]]
}
