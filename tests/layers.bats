#!/usr/bin/env bats
# The layers of docs/labd-design.md, checked on the sources by
# tests/lib/layer-check: no include circle among the modules of common/,
# no call circle among the files of ftp-labd, ftp-tap or any program
# made of a folder.  A change that makes one fails here.
# bats file_tags=not-sanitized

load lib/common

CHECK=$REPO_ROOT/tests/lib/layer-check

setup() {
	T=$BATS_TEST_TMPDIR
}

# A copy of common/ and tools/ in $T/tree, to make a circle in.
tree_copy() {
	mkdir -p "$T/tree"
	cp -R "$REPO_ROOT/common" "$REPO_ROOT/tools" "$T/tree/"
}

# add_function FILE NAME BODY: a function of FILE that runs BODY.
add_function() {
	printf '\nint\n%s(void)\n{\n\t%s\n}\n' "$2" "$3" >>"$1"
}

@test "layers: no include circle in common/, no call circle in ftp-labd or ftp-tap" {
	run "$CHECK" "$REPO_ROOT"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "layers: the check sees the uses of both servers and of common/" {
	run "$CHECK" --edges "$REPO_ROOT"
	[ "$status" -eq 0 ]
	# calls, and a variable (cfg), across files
	[[ "$output" == *"tools/ftp-labd: main -> session (session_main)"* ]]
	[[ "$output" == *"tools/ftp-labd: control -> registry (server_stopping)"* ]]
	[[ "$output" == *"tools/ftp-labd: datachan -> config (cfg)"* ]]
	[[ "$output" == *"tools/ftp-tap: main -> session (session_main)"* ]]
	[[ "$output" == *"tools/ftp-tap: data -> relay (relay_open)"* ]]
	[[ "$output" == *"tools/ftp-tap: session -> config (cfg)"* ]]
	[[ "$output" == *"common/: serve -> narrate (serve.c)"* ]]
	# the front of both servers is common/serve, not main.c
	refute grep -q -- '-> main ' <<<"$output"
}

@test "layers: a call circle made in ftp-tap fails the check, named with its uses" {
	tree_copy
	add_function "$T/tree/tools/ftp-tap/config.c" config_watched \
		'return watching();'
	run "$CHECK" "$T/tree"
	[ "$status" -eq 1 ]
	[[ "$output" == *"tools/ftp-tap: a call circle among: config wire"* ]]
	[[ "$output" == *"tools/ftp-tap: config -> wire (watching)"* ]]
	[[ "$output" == *"tools/ftp-tap: wire -> config (cfg)"* ]]
	refute grep -q 'ftp-labd\|common/' <<<"$output"
}

@test "layers: a call circle made in ftp-labd, around three files, fails the check" {
	tree_copy
	# config is used by registry, which control uses: config -> control
	# closes the circle
	add_function "$T/tree/tools/ftp-labd/config.c" config_probe \
		'return control_hung_up(0, 0);'
	run "$CHECK" "$T/tree"
	[ "$status" -eq 1 ]
	[[ "$output" == *"tools/ftp-labd: a call circle among: "*config*control*registry* ]]
	[[ "$output" == *"tools/ftp-labd: control -> registry (server_stopping)"* ]]
	[[ "$output" == *"tools/ftp-labd: registry -> config (cfg)"* ]]
}

@test "layers: an include circle made in common/ fails the check" {
	tree_copy
	echo '#include "serve.h"' >>"$T/tree/common/line.c"
	run "$CHECK" "$T/tree"
	[ "$status" -eq 1 ]
	[[ "$output" == *"common/: an include circle among: "*line*serve* ]]
	[[ "$output" == *"common/: line -> serve (line.c)"* ]]
}

@test "layers: a name in a comment or a string, or a file's own static of that name, is no use" {
	tree_copy
	cat >>"$T/tree/tools/ftp-tap/config.c" <<'C'

/* watching() is not called here */
static const char *
config_words(void)
{
	return "session_main watching";
}

static int
data_busy(void)
{
	return config_words() != 0;
}

int
config_busy(void)
{
	return data_busy();
}
C
	run "$CHECK" --edges "$T/tree"
	[ "$status" -eq 0 ]
	refute grep -q 'tools/ftp-tap: config -> ' <<<"$output"
	# and the same call to data.c's data_busy is a use
	sed -i 's/^data_busy(void)/data_busy_own(void)/' \
		"$T/tree/tools/ftp-tap/config.c"
	run "$CHECK" "$T/tree"
	[ "$status" -eq 1 ]
	[[ "$output" == *"tools/ftp-tap: config -> data (data_busy)"* ]]
}
