#!/usr/bin/env bats
# ftp-labd under load: hundreds of concurrent logged-in sessions, parallel
# uploads and downloads with every file checksum-verified, and no
# descriptor leaked afterwards (/proc/PID/fd back to the baseline).

load lib/common

setup() {
	[ -x /usr/bin/python3 ] ||
		skip "/usr/bin/python3 drives the control channel in these tests"
	T=$BATS_TEST_TMPDIR
	LABD_ROOT=$T/root
	mkdir -p "$LABD_ROOT"
	for i in $(seq 0 19); do
		head -c $((100000 + i * 7919)) /dev/urandom >"$LABD_ROOT/f$i"
	done
}

teardown() {
	labd_stop
}

fd_count() {
	ls "/proc/$LABD_PID/fd" | wc -l
}

@test "labd load: 400 sessions, 100 parallel transfers checksummed, no fd leak" {
	[ -d /proc/self/fd ] || skip "no /proc to count descriptors"
	labd_start -q
	base=$(fd_count)
	run timeout 60 /usr/bin/python3 - "$LABD_PORT" "$LABD_ROOT" <<-'P'
		import ftplib, hashlib, io, os, sys, threading
		port, root = int(sys.argv[1]), sys.argv[2]
		errors = []
		def session():
		    f = ftplib.FTP(timeout=20)
		    f.connect("127.0.0.1", port)
		    f.login()
		    return f
		# 400 logged-in sessions held at once
		idle = []
		def open_one():
		    try:
		        idle.append(session())
		    except Exception as e:
		        errors.append("idle: %r" % e)
		ts = [threading.Thread(target=open_one) for _ in range(400)]
		[t.start() for t in ts]
		[t.join() for t in ts]
		assert not errors, errors[:3]
		assert len(idle) == 400
		# meanwhile 100 transfers: 50 downloads, 50 uploads
		def down(i):
		    try:
		        f = session()
		        buf = io.BytesIO()
		        f.retrbinary("RETR f%d" % (i % 20), buf.write)
		        want = open("%s/f%d" % (root, i % 20), "rb").read()
		        if hashlib.sha256(buf.getvalue()).digest() != \
		                hashlib.sha256(want).digest():
		            errors.append("RETR f%d differs" % (i % 20))
		        f.quit()
		    except Exception as e:
		        errors.append("down %d: %r" % (i, e))
		def up(i):
		    try:
		        f = session()
		        data = os.urandom(50000 + i)
		        f.storbinary("STOR u%d" % i, io.BytesIO(data))
		        f.quit()
		        got = open("%s/u%d" % (root, i), "rb").read()
		        if hashlib.sha256(got).digest() != hashlib.sha256(data).digest():
		            errors.append("STOR u%d differs" % i)
		    except Exception as e:
		        errors.append("up %d: %r" % (i, e))
		ts = [threading.Thread(target=down, args=(i,)) for i in range(50)]
		ts += [threading.Thread(target=up, args=(i,)) for i in range(50)]
		[t.start() for t in ts]
		[t.join() for t in ts]
		for f in idle:
		    f.sendcmd("NOOP")
		    f.quit()
		print("errors:", len(errors), errors[:3])
		sys.exit(1 if errors else 0)
	P
	echo "# $output" >&3
	[ "$status" -eq 0 ]
	[ "$(ls "$LABD_ROOT" | grep -c '^u')" -eq 50 ]
	wait_until 50 eval '[ "$(fd_count)" -eq "$base" ]'
	kill -0 "$LABD_PID"
}
