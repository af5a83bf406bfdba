#!/usr/bin/env bats
# ftp-labd with real clients on loopback: curl, wget, lftp, Python's ftplib,
# tnftp, inetutils ftp, busybox ftpget/ftpput.  Each test asserts the bytes
# that arrived and, from the narration, the commands the client used.  A
# test skips with a message when its client is not installed.

load lib/common
load lib/chat

setup() {
	T=$BATS_TEST_TMPDIR
	LABD_ROOT=$T/root
	mkdir -p "$LABD_ROOT/sub"
	head -c 1000000 /dev/urandom >"$LABD_ROOT/bin.dat"
	printf 'line one\nline two\n' >"$LABD_ROOT/sub/text.txt"
	head -c 70000 /dev/urandom >"$T/up.dat"
}

teardown() {
	labd_stop
}

URL() {
	echo "ftp://$LABD_HOST:$LABD_PORT$1"
}

@test "interop curl: EPSV by default, PASV with --disable-epsv, uploads with -T" {
	require curl
	labd_start
	curl -sS --max-time 20 -o "$T/got" "$(URL /bin.dat)"
	cmp "$T/got" "$LABD_ROOT/bin.dat"
	grep -q '\[1\] > EPSV$' "$LABD_LOG"
	curl -sS --max-time 20 --disable-epsv --ftp-pasv -o "$T/got2" "$(URL /sub/text.txt)"
	cmp "$T/got2" "$LABD_ROOT/sub/text.txt"
	grep -q '\[2\] > PASV$' "$LABD_LOG"
	curl -sS --max-time 20 -T "$T/up.dat" "$(URL /new/up.dat)" --ftp-create-dirs
	cmp "$LABD_ROOT/new/up.dat" "$T/up.dat"
	grep -q '\[3\] > MKD new' "$LABD_LOG"
	grep -q '\[3\] > STOR up.dat' "$LABD_LOG"
}

@test "interop curl: active mode, -P with EPRT and with PORT" {
	require curl
	labd_start
	curl -sS --max-time 20 -P 127.0.0.1 -o "$T/got" "$(URL /bin.dat)"
	cmp "$T/got" "$LABD_ROOT/bin.dat"
	grep -q '\[1\] > EPRT |1|127.0.0.1|[0-9]*|$' "$LABD_LOG"
	curl -sS --max-time 20 -P 127.0.0.1 --disable-eprt -T "$T/up.dat" "$(URL /up.dat)"
	cmp "$LABD_ROOT/up.dat" "$T/up.dat"
	grep -q '\[2\] > PORT 127,0,0,1,[0-9]*,[0-9]*$' "$LABD_LOG"
	grep -q '\[2\] data: connected to 127.0.0.1:' "$LABD_LOG"
}

@test "interop curl: listings, TYPE A, resume (REST) and append (APPE)" {
	require curl
	labd_start
	run curl -sS --max-time 20 "$(URL /)"
	[ "$status" -eq 0 ]
	[[ $output == *" bin.dat"* && $output == *" sub"* ]]
	run curl -sS --max-time 20 --list-only "$(URL /sub/)"
	[ "$(echo "$output" | tr -d '\r')" = text.txt ]
	# TYPE A: 18 bytes with 2 LF go out as 20 with CRLF; curl turns
	# them back into LF
	curl -sS --max-time 20 -B -o "$T/ascii" "$(URL /sub/text.txt)"
	cmp "$T/ascii" "$LABD_ROOT/sub/text.txt"
	grep -q '\[3\] > TYPE A$' "$LABD_LOG"
	grep -q '\[3\] data: sent 20 bytes, closed' "$LABD_LOG"
	head -c 1000 "$LABD_ROOT/bin.dat" >"$T/partial"
	curl -sS --max-time 20 -C - -o "$T/partial" "$(URL /bin.dat)"
	cmp "$T/partial" "$LABD_ROOT/bin.dat"
	grep -q '> REST 1000$' "$LABD_LOG"
	printf 'AB' >"$LABD_ROOT/app"
	printf 'CD' >"$T/cd"
	curl -sS --max-time 20 -a -T "$T/cd" "$(URL /app)"
	[ "$(cat "$LABD_ROOT/app")" = ABCD ]
}

# A named user whose home is ROOT/home/ann, with ROOT/pub as /pub.
start_with_ann() {
	mkdir -p "$T/class/home/ann" "$T/class/pub"
	mv "$LABD_ROOT/bin.dat" "$T/class/pub/"
	printf 'ann:pw:home/ann:rwdm:10M\n' >"$T/users"
	LABD_ROOT=$T/class labd_start --users "$T/users"
	ANN=$T/class/home/ann
}

@test "interop curl: a named user in a home, with the shared pub/" {
	require curl
	start_with_ann
	local u="ftp://ann:pw@$LABD_HOST:$LABD_PORT"
	curl -sS --max-time 20 -o "$T/got" "$u/pub/bin.dat"
	cmp "$T/got" "$T/class/pub/bin.dat"
	curl -sS --max-time 20 -T "$T/up.dat" "$u/new/up.dat" --ftp-create-dirs
	cmp "$ANN/new/up.dat" "$T/up.dat"
	run curl -sS --max-time 20 -T "$T/up.dat" "$u/pub/up.dat"
	[ "$status" -ne 0 ]
	[ "$(ls "$T/class/pub")" = bin.dat ]
	grep -q '\[2 ann\] > STOR up.dat$' "$LABD_LOG"
	grep -q '\[3 ann\] confine: /pub/up.dat refused (pub/ is shared and read-only)$' "$LABD_LOG"
}

@test "interop curl: IPv6 on ::1" {
	require curl
	labd_start -l ::1
	curl -sS --max-time 20 -g -o "$T/got" "ftp://[::1]:$LABD_PORT/bin.dat"
	cmp "$T/got" "$LABD_ROOT/bin.dat"
	curl -sS --max-time 20 -g -P ::1 -T "$T/up.dat" "ftp://[::1]:$LABD_PORT/up6"
	cmp "$LABD_ROOT/up6" "$T/up.dat"
	grep -q '> EPRT |2|::1|' "$LABD_LOG"
}

@test "interop wget: a file, and a recursive mirror through LIST" {
	require wget
	labd_start
	wget -q -T 10 -t 1 -O "$T/got" "$(URL /bin.dat)"
	cmp "$T/got" "$LABD_ROOT/bin.dat"
	(cd "$T" && wget -q -T 10 -t 1 -r -nH -P mirror "$(URL /)")
	cmp "$T/mirror/bin.dat" "$LABD_ROOT/bin.dat"
	cmp "$T/mirror/sub/text.txt" "$LABD_ROOT/sub/text.txt"
}

@test "interop lftp: AUTH falls back, mirror via MLSD, put, mkdir, rm" {
	require lftp
	labd_start
	run timeout 30 lftp -c "set net:max-retries 1; set net:timeout 5;
		open -u anonymous,x -p $LABD_PORT $LABD_HOST;
		mirror / $T/mirror; put $T/up.dat -o up.dat; mkdir made;
		rm sub/text.txt; ls"
	[ "$status" -eq 0 ]
	cmp "$T/mirror/bin.dat" "$LABD_ROOT/bin.dat"
	[ "$(cat "$T/mirror/sub/text.txt")" = "$(printf 'line one\nline two')" ]
	cmp "$LABD_ROOT/up.dat" "$T/up.dat"
	[ -d "$LABD_ROOT/made" ]
	[ ! -e "$LABD_ROOT/sub/text.txt" ]
	[[ $output == *"up.dat"* ]]
	grep -q '> MLSD' "$LABD_LOG"
}

@test "interop lftp: a named user in a home: mirror, put, mkdir, rm; pub/ stays" {
	require lftp
	start_with_ann
	run timeout 30 lftp -c "set net:max-retries 1; set net:timeout 5;
		open -u ann,pw -p $LABD_PORT $LABD_HOST;
		mirror /pub $T/mirror; put $T/up.dat -o up.dat; mkdir made;
		rm up.dat; put $T/up.dat -o kept.dat; ls"
	[ "$status" -eq 0 ]
	cmp "$T/mirror/bin.dat" "$T/class/pub/bin.dat"
	cmp "$ANN/kept.dat" "$T/up.dat"
	[ -d "$ANN/made" ] && [ ! -e "$ANN/up.dat" ]
	run timeout 30 lftp -c "set net:max-retries 1; set net:timeout 5;
		open -u ann,pw -p $LABD_PORT $LABD_HOST; rm pub/bin.dat"
	[ "$status" -ne 0 ]
	[ -f "$T/class/pub/bin.dat" ]
	grep -q '\[[0-9]* ann\] > MLSD' "$LABD_LOG"
}

@test "interop lftp: mirror -R keeps the files' times (MFMT), both modes" {
	require lftp
	mkdir -p "$T/src/sub"
	printf 'a\n' >"$T/src/a.txt"
	printf 'b\n' >"$T/src/sub/b.txt"
	touch -d '2001-02-03 04:05:06 UTC' "$T/src/a.txt"
	touch -d '1999-12-31 23:59:59 UTC' "$T/src/sub/b.txt"
	for portable in 0 1; do
		rm -rf "$LABD_ROOT/dst"
		RAWFTP_PORTABLE=$portable labd_start
		run timeout 30 lftp -c "set net:max-retries 1; set net:timeout 5;
			open -u anonymous,x -p $LABD_PORT $LABD_HOST;
			mirror -R $T/src dst"
		[ "$status" -eq 0 ]
		cmp "$T/src/a.txt" "$LABD_ROOT/dst/a.txt"
		[ "$(TZ=UTC date -r "$LABD_ROOT/dst/a.txt" '+%F %T')" = "2001-02-03 04:05:06" ]
		[ "$(TZ=UTC date -r "$LABD_ROOT/dst/sub/b.txt" '+%F %T')" = "1999-12-31 23:59:59" ]
		grep -q '> MFMT 20010203040506 a.txt' "$LABD_LOG"
		labd_stop
	done
}

@test "interop lftp: active mode on ::1 (EPRT |2|::|port| means the client)" {
	require lftp
	for portable in 0 1; do
		rm -f "$T/got" "$LABD_ROOT/up6.dat"
		RAWFTP_PORTABLE=$portable labd_start -l ::1
		run timeout 30 lftp -c "set net:max-retries 1; set net:timeout 5;
			set ftp:passive-mode off;
			open -u anonymous,x -p $LABD_PORT ::1;
			get bin.dat -o $T/got; put $T/up.dat -o up6.dat"
		[ "$status" -eq 0 ]
		cmp "$T/got" "$LABD_ROOT/bin.dat"
		cmp "$T/up.dat" "$LABD_ROOT/up6.dat"
		grep -q '> EPRT |2|::|' "$LABD_LOG"
		grep -q 'data: EPRT :: means the client.s address ::1' "$LABD_LOG"
		labd_stop
	done
}

@test "interop python ftplib: passive and active, IPv4 and ::1" {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"
	for host in 127.0.0.1 ::1; do
		labd_start -l "$host"
		run /usr/bin/python3 - "$host" "$LABD_PORT" "$T" <<-'P'
			import ftplib, io, sys
			host, port, t = sys.argv[1], int(sys.argv[2]), sys.argv[3]
			for passive in (True, False):
			    f = ftplib.FTP(timeout=10)
			    f.connect(host, port)
			    f.login()
			    f.set_pasv(passive)
			    got = io.BytesIO()
			    f.retrbinary("RETR bin.dat", got.write)
			    assert got.getvalue() == open(t + "/root/bin.dat", "rb").read()
			    f.storbinary("STOR p.dat", open(t + "/up.dat", "rb"))
			    assert f.size("p.dat") == 70000
			    f.mkd("dir")
			    f.rename("p.dat", "dir/q.dat")
			    assert f.nlst("dir") == ["q.dat"]
			    assert [n for n, _ in f.mlsd("dir")] == ["q.dat"]
			    f.delete("dir/q.dat")
			    f.rmd("dir")
			    lines = []
			    f.retrlines("LIST", lines.append)
			    assert any(l.endswith(" bin.dat") for l in lines)
			    f.quit()
			print("ok")
		P
		[ "$status" -eq 0 ]
		[ "$output" = ok ]
		labd_stop
	done
}

@test "interop tnftp: get and put, passive and active" {
	require tnftp
	labd_start
	run timeout 30 tnftp -n -p "$LABD_HOST" "$LABD_PORT" <<-S
		user anonymous x
		binary
		get bin.dat $T/got
		put $T/up.dat up.dat
		passive off
		get sub/text.txt $T/text
		quit
	S
	cmp "$T/got" "$LABD_ROOT/bin.dat"
	cmp "$LABD_ROOT/up.dat" "$T/up.dat"
	cmp "$T/text" "$LABD_ROOT/sub/text.txt"
	grep -q '> EPSV\|> PASV' "$LABD_LOG"
	grep -q '> EPRT\|> PORT' "$LABD_LOG"
}

@test "interop tnftp: mget with a pattern (NLST *.txt), mput" {
	require tnftp
	labd_start
	printf 'one\n' >"$LABD_ROOT/one.txt"
	printf 'two\n' >"$LABD_ROOT/two.txt"
	mkdir "$T/here"
	cp "$T/up.dat" "$T/here/a.up"
	cp "$T/up.dat" "$T/here/b.up"
	cd "$T/here"
	run timeout 30 tnftp -n -i -p "$LABD_HOST" "$LABD_PORT" <<-S
		user anonymous x
		binary
		mget *.txt
		mput *.up
		quit
	S
	cmp one.txt "$LABD_ROOT/one.txt"
	cmp two.txt "$LABD_ROOT/two.txt"
	[ ! -e bin.dat ]
	cmp "$LABD_ROOT/a.up" "$T/up.dat"
	cmp "$LABD_ROOT/b.up" "$T/up.dat"
	grep -q '> NLST \*.txt' "$LABD_LOG"
}

@test "interop inetutils ftp: get and put, active and passive" {
	require inetutils-ftp
	labd_start
	run timeout 30 inetutils-ftp -n "$LABD_HOST" "$LABD_PORT" <<-S
		user anonymous x
		binary
		get bin.dat $T/got
		passive
		put $T/up.dat up.dat
		quit
	S
	cmp "$T/got" "$LABD_ROOT/bin.dat"
	cmp "$LABD_ROOT/up.dat" "$T/up.dat"
	grep -q '> PORT\|> EPRT' "$LABD_LOG"
	grep -q '> PASV\|> EPSV' "$LABD_LOG"
}

@test "interop busybox: ftpget and ftpput" {
	require busybox
	labd_start
	busybox ftpget -P "$LABD_PORT" -u anonymous -p x "$LABD_HOST" "$T/got" bin.dat
	cmp "$T/got" "$LABD_ROOT/bin.dat"
	busybox ftpput -P "$LABD_PORT" -u anonymous -p x "$LABD_HOST" up.dat "$T/up.dat"
	cmp "$LABD_ROOT/up.dat" "$T/up.dat"
}

@test "interop FileZilla's command sequence, as in the lab report's capture" {
	[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"
	labd_start
	printf 'from FileZilla\n' >"$T/01test.txt"
	run chat <<-S
		AUTH TLS
		AUTH SSL
		USER anonymous
		PASS anonymous@example.com
		OPTS UTF8 ON
		CWD /
		PWD
		TYPE I
		!pasv
		!put $T/01test.txt STOR 01test.txt
		!pasv
		!get $T/list MLSD
		TYPE I
		!pasv
		!get $T/back RETR 01test.txt
		QUIT
	S
	[ "$status" -eq 0 ]
	[[ ${lines[1]} == "504 AUTH: security mechanism 'TLS' not supported." ]]
	[[ ${lines[2]} == "504 AUTH: security mechanism 'SSL' not supported." ]]
	[[ ${lines[3]} == "331 Guest login ok, send your email address as password." ]]
	[[ ${lines[4]} == "230 Guest login ok, access restrictions apply." ]]
	[[ ${lines[5]} == "200 OK, UTF-8 enabled." ]]
	[[ ${lines[7]} == '257 "/" is the current directory.' ]]
	[[ ${lines[10]} == "150 Opening BINARY mode data connection for /01test.txt." ]]
	[[ ${lines[11]} == "226 Transfer complete." ]]
	cmp "$LABD_ROOT/01test.txt" "$T/01test.txt"
	cmp "$T/back" "$T/01test.txt"
	grep -q '; 01test.txt' "$T/list"
}
