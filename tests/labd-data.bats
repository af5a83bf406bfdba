#!/usr/bin/env bats
# ftp-labd: the data channel.  Transfers in passive (PASV, EPSV) and active
# (PORT, EPRT) mode, IPv4 and ::1, TYPE A conversion, REST, APPE, STOU,
# listings, refusals of bounces and stolen connections, ABOR, timeouts.
# Each runs with the Linux fast paths and again with RAWFTP_PORTABLE=1.

load lib/common

setup() {
	[ -x /usr/bin/python3 ] ||
		skip "/usr/bin/python3 drives the control channel in these tests"
	LABD_ROOT=$BATS_TEST_TMPDIR/root
	mkdir -p "$LABD_ROOT/sub"
	head -c 300000 /dev/urandom >"$LABD_ROOT/bin.dat"
	printf 'one\ntwo\r\nthree\n' >"$LABD_ROOT/text.txt"
	T=$BATS_TEST_TMPDIR
}

teardown() {
	labd_stop
}

load lib/chat

# RETR and STOR of a binary file in one data mode; $1 = pasv epsv port eprt
roundtrip() {
	rm -f "$T/got" "$LABD_ROOT/up.dat"
	run chat <<-S
		USER anonymous
		PASS x
		TYPE I
		!$1
		!get $T/got RETR bin.dat
		!$1
		!put $LABD_ROOT/bin.dat STOR up.dat
	S
	[ "$status" -eq 0 ]
	[[ $output == *"150 Opening BINARY mode data connection for /bin.dat (300000 bytes)."*"226 Transfer complete."*"226 Transfer complete."* ]]
	cmp "$T/got" "$LABD_ROOT/bin.dat"
	cmp "$LABD_ROOT/up.dat" "$LABD_ROOT/bin.dat"
}

@test "labd data: RETR and STOR byte for byte in PASV, EPSV, PORT, EPRT" {
	for portable in 0 1; do
		RAWFTP_PORTABLE=$portable labd_start
		for mode in pasv epsv port eprt; do
			roundtrip $mode
		done
		labd_stop
	done
}

@test "labd data: PASV narration shows the port arithmetic" {
	labd_start
	run chat <<-S
		USER anonymous
		PASS x
		!pasv
		!get $T/got RETR text.txt
		!port
		!get $T/got2 RETR text.txt
	S
	[[ ${lines[3]} =~ ^227\ Entering\ Passive\ Mode\ \(127,0,0,1,([0-9]+),([0-9]+)\)\.$ ]]
	p1=${BASH_REMATCH[1]} p2=${BASH_REMATCH[2]}
	port=$((p1 * 256 + p2))
	grep -q "\[1\] data: PASV listening on 127.0.0.1:$port = $p1\*256+$p2\$" "$LABD_LOG"
	grep -q "\[1\] data: 127.0.0.1:[0-9]* connected" "$LABD_LOG"
	grep -q "\[1\] data: sent 15 bytes, closed" "$LABD_LOG"
	grep -q "\[1\] data: PORT 127.0.0.1 port [0-9]* = [0-9]*\*256+[0-9]*" "$LABD_LOG"
	grep -q "\[1\] data: connected to 127.0.0.1:[0-9]* from 127.0.0.1:" "$LABD_LOG"
}

@test "labd data: --pasv-ports and --pasv-address shape the 227 reply" {
	labd_start --pasv-ports 40000-40100 --pasv-address 10.1.2.3
	run chat <<-'S'
		USER anonymous
		PASS x
		PASV
		EPSV
	S
	[[ ${lines[3]} =~ ^227\ Entering\ Passive\ Mode\ \(10,1,2,3,(15[6-9]|15[0-9]),([0-9]+)\)\.$ ]]
	port=$((BASH_REMATCH[1] * 256 + BASH_REMATCH[2]))
	[ "$port" -ge 40000 ] && [ "$port" -le 40100 ]
	[[ ${lines[4]} =~ ^229\ Entering\ Extended\ Passive\ Mode\ \(\|\|\|(4[0-9]+)\|\)$ ]]
	[ "${BASH_REMATCH[1]}" -ge 40000 ] && [ "${BASH_REMATCH[1]}" -le 40100 ]
	grep -q 'PASV advertises 10.1.2.3' "$LABD_LOG"
}

@test "labd data: IPv6 on ::1 with EPSV and EPRT; PASV refused with 522" {
	LABD_ROOT=$LABD_ROOT labd_start -l ::1
	[ "$LABD_HOST" = "::1" ]
	rm -f "$T/got"
	run chat <<-S
		USER anonymous
		PASS x
		PASV
		EPSV 1
		!epsv
		!get $T/got RETR bin.dat
		!eprt
		!put $LABD_ROOT/text.txt STOR t6.txt
	S
	[[ ${lines[3]} == "522 PASV is IPv4 only; use EPSV on IPv6." ]]
	[[ ${lines[4]} == "522 Network protocol not supported, use (2)" ]]
	[[ $output == *"200 EPRT command successful."* ]]
	cmp "$T/got" "$LABD_ROOT/bin.dat"
	cmp "$LABD_ROOT/t6.txt" "$LABD_ROOT/text.txt"
	grep -q 'data: EPSV listening on \[::1\]:' "$LABD_LOG"
	# an IPv6 endpoint is bracketed, so its port reads apart from it
	grep -q 'data: \[::1\]:[0-9]* connected' "$LABD_LOG"
	grep -q 'data: connected to \[::1\]:[0-9]* from \[::1\]:[0-9]*$' "$LABD_LOG"
}

@test "labd data: EPSV 2 on IPv4 is 522, EPSV ALL locks out PASV and PORT" {
	labd_start
	run chat <<-'S'
		USER anonymous
		PASS x
		EPSV 2
		EPSV 7
		EPRT |3|1.2.3.4|5000|
		EPSV ALL
		PASV
		PORT 127,0,0,1,200,1
		EPSV
	S
	[[ ${lines[3]} == "522 Network protocol not supported, use (1)" ]]
	[[ ${lines[4]} == "501 "* ]]
	[[ ${lines[5]} == "522 Network protocol not supported, use (1,2)" ]]
	[[ ${lines[6]} == "200 EPSV ALL ok"* ]]
	[[ ${lines[7]} == "503 "* ]]
	[[ ${lines[8]} == "503 "* ]]
	[[ ${lines[9]} == "229 "* ]]
}

@test "labd data: TYPE A turns LF into CRLF on RETR and back on STOR" {
	for portable in 0 1; do
		RAWFTP_PORTABLE=$portable labd_start
		rm -f "$T/got" "$LABD_ROOT/back.txt"
		printf 'a\r\nb\r\n' >"$T/wire.txt"
		run chat <<-S
			USER anonymous
			PASS x
			TYPE A
			!pasv
			!get $T/got RETR text.txt
			!epsv
			!put $T/wire.txt STOR back.txt
		S
		[[ $output == *"150 Opening ASCII mode"* ]]
		[ "$(od -An -c "$T/got" | tr -s ' ')" = "$(printf 'one\r\ntwo\r\r\nthree\r\n' | od -An -c | tr -s ' ')" ]
		[ "$(cat "$LABD_ROOT/back.txt")" = "$(printf 'a\nb')" ]
		[ "$(wc -c <"$LABD_ROOT/back.txt")" -eq 4 ]
		labd_stop
	done
}

@test "labd data: REST applies to the next RETR only" {
	labd_start
	printf '0123456789' >"$LABD_ROOT/digits"
	run chat <<-S
		USER anonymous
		PASS x
		REST 4
		REST x
		!pasv
		!get $T/part RETR digits
		!pasv
		!get $T/whole RETR digits
	S
	[[ ${lines[3]} == "350 Restarting at 4."* ]]
	[[ ${lines[4]} == "501 REST needs a byte offset, a decimal number from 0 to 9223372036854775807. Syntax: REST byte-offset (a decimal number; the next RETR or STOR starts there)" ]]
	[ "$(cat "$T/part")" = "456789" ]
	[ "$(cat "$T/whole")" = "0123456789" ]
}

@test "labd data: REST+STOR writes from the offset, APPE appends, STOU invents a name" {
	labd_start
	printf 'AAAAAAAA' >"$LABD_ROOT/f"
	printf 'bb' >"$T/bb"
	printf 'cc' >"$T/cc"
	run chat <<-S
		USER anonymous
		PASS x
		REST 3
		!pasv
		!put $T/bb STOR f
		!pasv
		!put $T/cc APPE f
		!pasv
		!put $T/cc STOU f
	S
	[ "$(cat "$LABD_ROOT/f")" = "AAAbbAAAcc" ]
	[[ $output == *"150 FILE: /f.1"* ]]
	[ "$(cat "$LABD_ROOT/f.1")" = "cc" ]
	# an offset past what a file offset can hold is refused at REST
	run chat <<-S
		USER anonymous
		PASS x
		REST 18446744073709551615
		REST 9223372036854775808
	S
	[[ ${lines[3]} == "501 REST needs a byte offset"* ]]
	[[ ${lines[4]} == "501 REST needs a byte offset"* ]]
}

@test "labd data: STOU, APPE and REST+STOR with no data connection leave no new file" {
	labd_start --data-timeout 1
	printf 'old' >"$LABD_ROOT/kept"
	run chat <<-S
		USER anonymous
		PASS x
		PASV
		STOU up
		!read
		PASV
		APPE new.txt
		!read
		PASV
		REST 3
		STOR kept
		!read
		PASV
		APPE kept
		!read
		PASV
		REST 5
		STOR new2.txt
	S
	[ "$(grep -c '^425 Cannot open data connection.$' <<<"$output")" -eq 4 ]
	# REST past the end (of no file at all) is refused before anything
	[[ ${lines[-1]} == "554 REST 5 is past the end of /new2.txt (0 bytes); restart at most there." ]]
	[ ! -e "$LABD_ROOT/up.1" ]
	[ ! -e "$LABD_ROOT/new.txt" ]
	[ ! -e "$LABD_ROOT/new2.txt" ]
	[ "$(cat "$LABD_ROOT/kept")" = "old" ]
}

@test "labd data: LIST is ls -l with CRLF, NLST names, MLSD facts" {
	labd_start
	ln -s text.txt "$LABD_ROOT/link"
	touch "$LABD_ROOT/.hidden"
	run chat <<-S
		USER anonymous
		PASS x
		LIST
		!pasv
		!get $T/list LIST
		!pasv
		!get $T/lista LIST -la
		!pasv
		!get $T/nlst NLST sub/..
		!pasv
		!get $T/mlsd MLSD
		!pasv
		!get $T/one LIST text.txt
		!pasv
		MLSD text.txt
	S
	[[ $output == *"501 /text.txt is not a directory."* ]]
	[[ $output == *"425 Use PORT, PASV, EPRT or EPSV first."* ]]
	grep -q $'^-rw-r--r-- *1 ftp *ftp *300000 [A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]* bin.dat\r$' "$T/list"
	grep -q $'^d[rwx-]\{9\} .* sub\r$' "$T/list"
	grep -q $'^l[rwx-]\{9\} .* link -> text.txt\r$' "$T/list"
	refute grep -q hidden "$T/list"
	grep -q '\.hidden' "$T/lista"
	[ "$(tr -d '\r' <"$T/nlst")" = "$(printf 'bin.dat\nlink\nsub\ntext.txt')" ]
	grep -q $'^type=file;size=15;modify=[0-9]\{14\};perm=adfrw;unique=[0-9a-f]*U[0-9a-f]*; text.txt\r$' "$T/mlsd"
	grep -q '^type=dir;.* sub' "$T/mlsd"
	[ "$(wc -l <"$T/one")" -eq 1 ]
	grep -q ' text.txt' "$T/one"
}

@test "labd data: NLST and LIST with a pattern (as mget sends), STAT too" {
	labd_start
	touch "$LABD_ROOT/a.txt" "$LABD_ROOT/.dot.txt" "$LABD_ROOT/sub/b.txt" \
		"$LABD_ROOT/sub/c.dat" "$LABD_ROOT/sub/[x].lit"
	run chat <<-S
		USER anonymous
		PASS x
		!pasv
		!get $T/txt NLST *.txt
		!pasv
		!get $T/sub NLST sub/*.txt
		!pasv
		!get $T/long LIST /sub/?.*
		!pasv
		!get $T/dot NLST .*.txt
		!pasv
		!get $T/none NLST *.none
		!pasv
		!get $T/lit NLST sub/[x].lit
		!pasv
		MLSD *.txt
		STAT [at]*.txt
		!pasv
		!get $T/out NLST ../../*
		!pasv
		!get $T/many NLST $(printf '*a%.0s' {1..120})*b
	S
	[ "$status" -eq 0 ]
	# names a RETR takes as they are: with the directory part written
	[ "$(tr -d '\r' <"$T/txt")" = "$(printf 'a.txt\ntext.txt')" ]
	[ "$(tr -d '\r' <"$T/sub")" = "sub/b.txt" ]
	[ "$(wc -l <"$T/long")" -eq 2 ]
	grep -q $' /sub/b.txt\r$' "$T/long"
	grep -q $' /sub/c.dat\r$' "$T/long"
	# a dot file only when the pattern spells the dot
	[ "$(tr -d '\r' <"$T/dot")" = ".dot.txt" ]
	[ ! -s "$T/none" ]
	# a file really named so is that file, not a pattern
	[ "$(tr -d '\r' <"$T/lit")" = "[x].lit" ]
	[[ $output == *"501 /*.txt is not a directory."* ]]
	[[ $output == *$'213-Status of /[at]*.txt:'*' a.txt'*' text.txt'*'213 End of status.'* ]]
	# above the root is the root: nothing outside it is listed
	refute grep -q -v '^\.\./\.\./[a-z]' "$T/out"
	grep -q '^\.\./\.\./bin.dat' "$T/out"
	# a pattern made to backtrack (vsftpd's CVE-2011-0762) ends at once;
	# a component is at most 255 bytes (NAME_MAX), and so is a pattern
	[ "$(grep -c "^226 Listing sent.$" <<<"$output")" -eq 8 ]
	[ ! -s "$T/many" ]
}

@test "labd data: PORT/EPRT to another host or to a port below 1024 is refused" {
	labd_start
	run chat <<-'S'
		USER anonymous
		PASS x
		PORT 127,0,0,2,200,10
		PORT 10,0,0,1,0,25
		PORT 127,0,0,1,0,21
		EPRT |1|127.0.0.3|6000|
		EPRT |1|127.0.0.1|80|
		PORT 1,2,3
		EPRT |1|127.0.0.1|x|
		RETR bin.dat
	S
	[[ ${lines[3]} == "500 Refused: 127.0.0.2 is not your address 127.0.0.1; the server connects only back to you (bounce attack, RFC 2577)." ]]
	[[ ${lines[4]} == "500 Refused: 10.0.0.1 is not your address"* ]]
	[[ ${lines[5]} == "500 Refused: port 21 is below 1024, a system service (bounce attack, RFC 2577)." ]]
	[[ ${lines[6]} == "500 Refused: 127.0.0.3 is not your address"* ]]
	[[ ${lines[7]} == "500 Refused: port 80 is below 1024"* ]]
	[[ ${lines[8]} == "501 Bad PORT argument: "* ]]
	[[ ${lines[9]} == "501 Bad EPRT argument: "* ]]
	[[ ${lines[10]} == "425 Use PORT, PASV, EPRT or EPSV first." ]]
	grep -q "data: refused 127.0.0.2 port 51210: not the client's address 127.0.0.1 (bounce attack)" "$LABD_LOG"
	grep -q "data: refused 127.0.0.1 port 21: a privileged port" "$LABD_LOG"
}

@test "labd data: a PORT naming the server's own port is refused: its control port, another session's passive port" {
	labd_start
	# a second session waits on its passive port: ftp-raw fed by a fifo
	mkfifo "$T/ctl"
	ftp-raw 127.0.0.1 "$LABD_PORT" <"$T/ctl" >"$T/other" 2>&1 &
	local raw=$! ctl pasv_port
	exec {ctl}>"$T/ctl"
	printf 'USER anonymous\nPASS x\nPASV\n' >&"$ctl"
	wait_until 100 has_line "$T/other" '227 '
	read -r _ pasv_port < <(ftp-pasv-calc "227 $REPLY")
	run chat <<-S
		USER anonymous
		PASS x
		PORT 127,0,0,1,$((LABD_PORT / 256)),$((LABD_PORT % 256))
		EPRT |1|127.0.0.1|$pasv_port|
	S
	[[ ${lines[3]} == "500 Refused: port $LABD_PORT is one this program listens on itself (it would connect to itself)." ]]
	[[ ${lines[4]} == "500 Refused: port $pasv_port is one this program listens on itself (it would connect to itself)." ]]
	grep -q "data: refused 127.0.0.1 port $LABD_PORT: a port this program listens on itself" "$LABD_LOG"
	exec {ctl}>&-
	wait "$raw"
}

@test "labd data: EPRT with 0.0.0.0 or :: means the client's own address" {
	labd_start
	run chat <<-'S'
		USER anonymous
		PASS x
		EPRT |1|0.0.0.0|40000|
		EPRT |2|::|40001|
		EPRT |1|0.0.0.0|80|
		STAT
	S
	[ "$status" -eq 0 ]
	[[ ${lines[3]} == "200 EPRT command successful. Consider using PASV." ]]
	[[ ${lines[4]} == "200 EPRT command successful. Consider using PASV." ]]
	[[ ${lines[5]} == "500 Refused: port 80 is below 1024"* ]]
	grep -q "data: EPRT 0.0.0.0 means the client's address 127.0.0.1" "$LABD_LOG"
	grep -q "data: EPRT 127.0.0.1 port 40000 = 156\*256+64" "$LABD_LOG"
	grep -q "data: EPRT 127.0.0.1 port 40001 = " "$LABD_LOG"
}

@test "labd data: a connection to the PASV port from another address is refused" {
	labd_start
	rm -f "$T/got"
	run chat <<-S
		USER anonymous
		PASS x
		!pasv
		!thief
		!get $T/got RETR bin.dat
	S
	[ "$status" -eq 0 ]
	[[ $output == *"(thief connected from 127.0.0.2)"*"226 Transfer complete."* ]]
	cmp "$T/got" "$LABD_ROOT/bin.dat"
	grep -q "data: refused 127.0.0.2:[0-9]*: not the client's address 127.0.0.1 (connection theft)" "$LABD_LOG"
}

@test "labd data: no data connection within --data-timeout: 150 then 425" {
	labd_start --data-timeout 1
	run chat <<-'S'
		USER anonymous
		PASS x
		PASV
		RETR bin.dat
		!read
		NOOP
		STAT
		RETR bin.dat
	S
	[[ ${lines[4]} == "150 "* ]]
	[[ ${lines[5]} == "425 Cannot open data connection." ]]
	[[ ${lines[6]} == "200 NOOP ok." ]]
	grep -q 'data: no connection within 1 seconds' "$LABD_LOG"
	# the passive port served that transfer: the next needs a new PASV
	[[ $output == *" Data connection: none"* ]]
	[[ ${lines[-1]} == "425 Use PORT, PASV, EPRT or EPSV first." ]]
}

@test "labd data: ABOR (IAC IP, IAC DM, ABOR) stops a RETR: 426 then 226" {
	for portable in 0 1; do
		RAWFTP_PORTABLE=$portable labd_start
		truncate -s 256M "$LABD_ROOT/big"
		run chat <<-S
			USER anonymous
			PASS x
			!pasv
			!abort $T/part RETR big
			NOOP
			ABOR
		S
		[ "$status" -eq 0 ]
		[[ ${lines[4]} == "150 "* ]]
		[[ ${lines[5]} == "426 Transfer aborted." ]]
		[[ ${lines[6]} == "226 ABOR successful." ]]
		[[ ${lines[7]} == "200 NOOP ok." ]]
		[[ ${lines[8]} == "225 No transfer to abort." ]]
		grep -q '\[1\] > ABOR' "$LABD_LOG"
		labd_stop
	done
}

@test "labd data: ABORT during a RETR is not ABOR: 500 after the transfer" {
	labd_start
	truncate -s 32M "$LABD_ROOT/big"
	run chat <<-S
		USER anonymous
		PASS x
		TYPE I
		!pasv
		!during ABORT $T/got RETR big
		!pasv
		!during abor $T/part RETR big
	S
	[ "$status" -eq 0 ]
	[[ ${lines[5]} == "150 "* ]]
	# one command parser: ABORT is an unknown verb, answered in its turn
	[ "${lines[6]}" = "226 Transfer complete." ]
	[ "${lines[7]}" = "500 Unknown command." ]
	cmp "$T/got" "$LABD_ROOT/big"
	[[ ${lines[9]} == "150 "* ]]
	[ "${lines[10]}" = "426 Transfer aborted." ]
	[ "${lines[11]}" = "226 ABOR successful." ]
	grep -q '\[1\] > ABORT' "$LABD_LOG"
}

@test "labd data: STAT during a RETR tells the progress; the transfer goes on" {
	head -c 24M /dev/urandom >"$T/big"
	for portable in 0 1; do
		RAWFTP_PORTABLE=$portable labd_start
		cp "$T/big" "$LABD_ROOT/big"
		run chat <<-S
			USER anonymous
			PASS x
			TYPE I
			!pasv
			!status $T/got RETR big
			NOOP
		S
		[ "$status" -eq 0 ]
		[[ ${lines[5]} == "150 "* ]]
		[ "${lines[6]}" = "213 Status: waiting for the data connection." ]
		[[ ${lines[7]} =~ ^213\ Status:\ ([0-9]+)\ bytes\ sent\ so\ far\.$ ]]
		# some bytes have gone, not all: the file is far bigger than
		# the socket buffers while the client reads nothing
		[ "${BASH_REMATCH[1]}" -gt 0 ]
		[ "${BASH_REMATCH[1]}" -lt 25165824 ]
		[ "${lines[8]}" = "226 Transfer complete." ]
		[ "${lines[9]}" = "200 NOOP ok." ]
		cmp "$T/got" "$T/big"
		grep -q '\[1\] > STAT' "$LABD_LOG"
		labd_stop
	done
}

@test "labd data: on loopback the data and the control connection use reno, which does not pace, whatever the system's default (what ss shows)" {
	require ss
	head -c 8M /dev/urandom >"$LABD_ROOT/big"
	labd_start
	run chat <<-S
		USER anonymous
		PASS x
		TYPE I
		!pasv
		!midsh $T/got RETR big | ss -tinpH state established >$T/ss
	S
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "226 Transfer complete." ]
	cmp "$T/got" "$LABD_ROOT/big"
	[[ ${lines[4]} =~ \(127,0,0,1,([0-9]+),([0-9]+)\) ]]
	cc_table "$T/ss" "$LABD_PID" >"$T/cc"
	cat "$T/cc"
	grep -qx "127.0.0.1:$((BASH_REMATCH[1] * 256 + BASH_REMATCH[2])) 127.0.0.1:[0-9]* reno" "$T/cc"
	grep -qx "127.0.0.1:$LABD_PORT 127.0.0.1:[0-9]* reno" "$T/cc"
}

@test "labd data: STAT during a STOR tells the bytes received so far" {
	labd_start
	head -c 1M /dev/urandom >"$T/up"
	run chat <<-S
		USER anonymous
		PASS x
		TYPE I
		!pasv
		!statusput $T/up STOR up.bin
	S
	[ "$status" -eq 0 ]
	[ "${lines[6]}" = "213 Status: waiting for the data connection." ]
	# only the first 64 KiB had been sent when the STAT went out
	[[ ${lines[7]} =~ ^213\ Status:\ ([0-9]+)\ bytes\ received\ so\ far\.$ ]]
	[ "${BASH_REMATCH[1]}" -le 65536 ]
	[ "${lines[8]}" = "226 Transfer complete." ]
	cmp "$T/up" "$LABD_ROOT/up.bin"
}

# many_root: LABD_ROOT is a folder whose many/ holds 30000 files with
# 200-byte names: about 8 MB of LIST output, more than the kernel's
# socket buffers hold (at most 4 + 6 MB).  Made once for the file (2 CPU
# s, and as much again to remove): the tests only list it.
many_root() {
	local pad
	LABD_ROOT=$BATS_FILE_TMPDIR/many-root
	[ ! -d "$LABD_ROOT/many" ] || return 0
	mkdir -p "$LABD_ROOT/many.part"
	pad=$(printf 'x%.0s' {1..180})
	(cd "$LABD_ROOT/many.part" &&
		seq -f "a-long-name-$pad-%05g" 30000 | xargs touch)
	mv "$LABD_ROOT/many.part" "$LABD_ROOT/many"	# only a whole one counts
}

@test "labd data: a listing to a client that reads nothing ends after --data-timeout" {
	many_root
	labd_start --data-timeout 1
	run chat <<-S
		USER anonymous
		PASS x
		!pasv
		!stall LIST many
		NOOP
	S
	[ "$status" -eq 0 ]
	[[ ${lines[4]} == "150 Here comes the listing of /many." ]]
	[ "${lines[5]}" = "426 No progress for 1 seconds; transfer aborted." ]
	[ "${lines[6]}" = "200 NOOP ok." ]
}

@test "labd data: ABOR stops a long listing; STAT during it tells the progress" {
	many_root
	labd_start
	run chat <<-S
		USER anonymous
		PASS x
		!pasv
		!status $T/list LIST many
		!pasv
		!abort $T/part NLST many
	S
	[ "$status" -eq 0 ]
	[ "${lines[5]}" = "213 Status: waiting for the data connection." ]
	[[ ${lines[6]} =~ ^213\ Status:\ [0-9]+\ bytes\ sent\ so\ far\.$ ]]
	[ "${lines[7]}" = "226 Listing sent." ]
	[ "$(grep -c 'a-long-name-' "$T/list")" -eq 30000 ]
	[ "${lines[10]}" = "426 Transfer aborted." ]
	[ "${lines[11]}" = "226 ABOR successful." ]
}

@test "labd data: a CR or LF in a file name cannot end a STAT reply early" {
	labd_start
	touch "$LABD_ROOT/evil"$'\n''213 End of status.'
	run chat <<-S
		USER anonymous
		PASS x
		STAT /
		NOOP
	S
	[ "$status" -eq 0 ]
	[ "$(grep -c '^213 ' <<<"$output")" -eq 1 ]
	[[ $output == *" evil?213 End of status."* ]]
	[[ ${lines[-1]} == "200 NOOP ok." ]]
}

@test "labd data: an aborted or broken STOR keeps the old file" {
	labd_start
	printf 'precious\n' >"$LABD_ROOT/keep.txt"
	head -c 8M /dev/urandom >"$T/big"
	run chat <<-S
		USER anonymous
		PASS x
		!pasv
		!abortput $T/big STOR keep.txt
		NOOP
	S
	[[ ${lines[4]} == "150 "* ]]
	[[ ${lines[5]} == "426 Transfer aborted; the old file is kept." ]]
	[[ ${lines[6]} == "226 ABOR successful." ]]
	[[ ${lines[7]} == "200 NOOP ok." ]]
	[ "$(cat "$LABD_ROOT/keep.txt")" = precious ]
	# no temporary file is left behind
	[ "$(ls -A "$LABD_ROOT" | grep -c labd-upload)" -eq 0 ]
	grep -q 'file: upload of /keep.txt not completed; the old file is kept' "$LABD_LOG"
}
