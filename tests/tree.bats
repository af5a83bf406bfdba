#!/usr/bin/env bats
# The checkout itself: only the design's top-level entries, no file left
# by a test run, no class passwords written into it.  (shellcheck over
# every shell script is a step of .ci/run: on a loaded machine it can take
# longer than one test may.)
# bats file_tags=not-sanitized

load lib/common

setup() {
	T=$BATS_TEST_TMPDIR
}

teardown() {
	labd_stop
}

# The top-level entries of the git checkout DIR, tracked or not (but not
# ignored), that the design does not list: one a line.
top_level_extras() {
	git -C "$1" ls-files --cached --others --exclude-standard |
		cut -d/ -f1 | sort -u |
		grep -vxE 'Makefile|README\.md|tools|common|labs|tests|docs|bench|\..*'
}

# A git checkout in $T/$1 with the design's entries in it.
scratch_checkout() {
	local dir=$T/$1 entry
	git init -q "$dir"
	for entry in tools common labs tests docs bench; do
		mkdir -p "$dir/$entry"
		touch "$dir/$entry/.keep"
	done
	touch "$dir/Makefile" "$dir/README.md" "$dir/.gitignore"
}

@test "tree: the top level holds only the design's entries and dot files" {
	git -C "$REPO_ROOT" rev-parse --git-dir >/dev/null 2>&1 ||
		skip "not a git checkout"
	run top_level_extras "$REPO_ROOT"
	[ -z "$output" ]
}

@test "tree: a stray file at the top level is named" {
	scratch_checkout c
	run top_level_extras "$T/c"
	[ -z "$output" ]
	echo text >"$T/c/01test.txt"
	mkdir "$T/c/scratch" && touch "$T/c/scratch/x"
	run top_level_extras "$T/c"
	[ "$output" = "$(printf '01test.txt\nscratch')" ]
	# an ignored file is no entry
	printf '/01test.txt\n/scratch/\n' >"$T/c/.gitignore"
	run top_level_extras "$T/c"
	[ -z "$output" ]
}

@test "tree: tests/run fails a run whose test leaves a file in the checkout" {
	scratch_checkout c
	cp "$REPO_ROOT/tests/run" "$T/c/tests/run"
	# (printf: a test line in a here-document would be this file's test)
	printf '@%s "leaves a file behind" {\n%s\n}\n' test \
		'echo x >"$BATS_TEST_DIRNAME/../left-behind.txt"' \
		>"$T/c/tests/stray.bats"
	printf '@%s "writes in its own folder" {\n%s\n}\n' test \
		'echo x >"$BATS_TEST_TMPDIR/kept-inside.txt"' \
		>"$T/c/tests/tidy.bats"
	# the PATH of a user: not this bats run's own bats-core folder
	path=$(tr : '\n' <<<"$PATH" | grep -v bats-core | paste -sd:)
	# a file there before the run is not the run's doing
	touch "$T/c/work-in-progress.c"
	# env -i: none of this bats run's variables reach the inner one
	run env -i PATH="$path" "$T/c/tests/run" --jobs 1 tests/tidy.bats
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "1 passed, 0 failed, 0 skipped" ]
	run env -i PATH="$path" "$T/c/tests/run" --jobs 1 tests/stray.bats
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"not ok - the tests left files in the checkout"* ]]
	[[ $output == *"?? left-behind.txt"* ]]
	[[ $output != *"work-in-progress.c"* ]]
	[ "${lines[-1]}" = "1 passed, 1 failed, 0 skipped" ]
}

@test "tree: ftp-labd --class will not write the passwords into a git checkout unless told the file" {
	scratch_checkout c
	mkdir "$T/c/docs/deep" "$T/root"
	cd "$T/c/docs/deep"
	run --separate-stderr ftp-labd -p 0 -r "$T/root" --class 2
	[ "$status" -eq 64 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[ "$stderr" = "ftp-labd: --class: class-accounts.txt (the students' passwords) is not written inside the git checkout $T/c; name the file with --class-file" ]
	[ -z "$(find "$T/c" -name class-accounts.txt)" ]
	# named, the file may go anywhere
	LABD_ROOT=$T/root labd_start --class 2 --class-file "$T/c/docs/deep/accounts.txt"
	grep -q '^student02:' "$T/c/docs/deep/accounts.txt"
	labd_stop
	# outside a checkout, the default file is written where the server starts
	mkdir "$T/plain" && cd "$T/plain"
	git rev-parse --git-dir >/dev/null 2>&1 && skip "$T is inside a git checkout"
	LABD_ROOT=$T/root labd_start --class 2
	grep -q '^student01:' "$T/plain/class-accounts.txt"
}

