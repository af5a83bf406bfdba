#!/usr/bin/env bats
# The build as a user drives it: install into a staging folder, then clean.
# bats file_tags=not-sanitized

load lib/common

@test "build: make install puts every program and manual page under DESTDIR" {
	stage=$BATS_TEST_TMPDIR/stage
	# the build make test runs from (RAWFTP_OBJ): up to date, so install
	# only copies; a build from nothing is .ci/run's first step
	run make -C "$REPO_ROOT" -s install DESTDIR="$stage" PREFIX=/usr/local \
		O="${RAWFTP_OBJ:-$BATS_TEST_TMPDIR/o}" BIN="$RAWFTP_BIN"
	[ "$status" -eq 0 ]
	for p in "$REPO_ROOT"/tools/*; do
		p=$(basename "${p%.c}")
		[ -x "$stage/usr/local/bin/$p" ]
		[ -f "$stage/usr/local/share/man/man1/$p.1" ]
		"$stage/usr/local/bin/$p" --version | grep -q "^$p (rawftp) "
	done
}

@test "build: make clean removes what the build made" {
	o=$BATS_TEST_TMPDIR/o bin=$BATS_TEST_TMPDIR/bin
	make -C "$REPO_ROOT" -s O="$o" BIN="$bin" "$bin/ftp-pasv-calc"
	[ -x "$bin/ftp-pasv-calc" ]
	[ -f "$o/librawftp.a" ]
	run make -C "$REPO_ROOT" -s clean O="$o" BIN="$bin"
	[ "$status" -eq 0 ]
	[ ! -e "$o" ]
	[ ! -e "$bin" ]
}
