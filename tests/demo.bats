#!/usr/bin/env bats
# `make demo`: labs/demo, run as CI runs it (no input, no terminal).
# bats file_tags=not-sanitized

load lib/common

@test "demo: the whole session runs, every file matches, exit 0" {
	run --separate-stderr env TMPDIR="$BATS_TEST_TMPDIR" \
		"$REPO_ROOT/labs/demo" </dev/null
	echo "$output"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[[ $output == *"every byte matched."* ]]
	# what it promises to show: the session as the ladder, once, the
	# arithmetic, both modes, the table of connections at the end
	[[ $output == *"|-------->|         PASS XXXX"* ]]
	[[ $output == *"|<--------|         214 Help OK."* ]]
	[[ $output == *"p1*256+p2 = "* ]]
	[[ $output == *"|--------------->|  connect from 127.0.0.1:"* ]]
	[[ $output == *"|<---------------|  connect to 127.0.0.1:"* ]]
	[[ $output == *"|===============>|  received 10240 bytes, closed"* ]]
	[[ $output == *"ok    upload.bin (uploaded, passive): 10240 bytes, identical"* ]]
	[[ $output == *"connections: who connected from where to where =="* ]]
	[[ $output == *" data PORT server 127.0.0.1:"* ]]
	# once: neither the client's transcript nor the narration's lines
	[[ $output != *"---> "* ]]
	[[ $output != *"] > USER"* ]]
	# every row of the ladder fits 80 columns
	[ "$(grep -E '^ +[0-9]+\.[0-9]{3} ' <<<"$output" | awk '{ if (length($0) > m) m = length($0) } END { print m }')" -le 80 ]
	# the server it started is gone, and so is its folder
	pid=$(sed -n 's/.*listening on .* port [0-9]*   (pid \([0-9]*\))$/\1/p' <<<"$output")
	[ -n "$pid" ]
	refute kill -0 "$pid" 2>/dev/null
	[ -z "$(ls "$BATS_TEST_TMPDIR" | grep rawftp-demo)" ]
}

@test "demo: no colour when NO_COLOR is set or output is not a terminal" {
	run env NO_COLOR=1 TMPDIR="$BATS_TEST_TMPDIR" "$REPO_ROOT/labs/demo" </dev/null
	[ "$status" -eq 0 ]
	[[ $output != *$'\033['* ]]
}

@test "demo: says to run make when a program is missing, exit 69" {
	mkdir -p "$BATS_TEST_TMPDIR/empty"
	run env RAWFTP_BIN="$BATS_TEST_TMPDIR/empty" "$REPO_ROOT/labs/demo" </dev/null
	[ "$status" -eq 69 ]
	[[ $output == *"ftp-labd is missing: run make first"* ]]
}

@test "demo: make demo runs labs/demo with the built programs" {
	run make -C "$REPO_ROOT" -n demo
	[ "$status" -eq 0 ]
	[[ $output == *"RAWFTP_BIN="*"labs/demo"* ]]
}

# ---- step mode, on a pseudo-terminal (tmux) ----

# A private tmux server (its own socket), killed in teardown.
TMUX_SOCK=
teardown() {
	[ -z "$TMUX_SOCK" ] || tmux -S "$TMUX_SOCK" kill-server 2>/dev/null || true
}

# The whole pane, scrollback included.
pane() {
	tmux -S "$TMUX_SOCK" capture-pane -p -J -S - -t demo
}
# pane_has TEXT: TEXT is on a line of the pane (a substring test of
# bash: a grep at each poll was a process)
pane_has() {
	[[ $(pane) == *"$1"* ]]
}

@test "demo: DEMO_STEP=1 on a terminal pauses for Enter before each section" {
	require tmux
	TMUX_SOCK=$BATS_TEST_TMPDIR/tmux.sock
	# the demo's stdin and stdout are the pane; its exit status is shown
	# after it, and the pane stays until teardown
	tmux -S "$TMUX_SOCK" new-session -d -s demo -x 120 -y 40 \
		"env DEMO_STEP=1 NO_COLOR=1 TMPDIR='$BATS_TEST_TMPDIR' \
		RAWFTP_BIN='$RAWFTP_BIN' '$REPO_ROOT/labs/demo'; \
		echo demo-exit=\$?; sleep 600"
	tmux -S "$TMUX_SOCK" set-option -t demo history-limit 5000 >/dev/null
	wait_until 100 pane_has "-- press Enter for section 2 --"
	pane_has "== 1. The lab server"
	# it waits: the next section is not there before Enter
	refute pane_has "== 2. "
	for section in 2 3 4 5 6 7 8; do
		tmux -S "$TMUX_SOCK" send-keys -t demo Enter
		wait_until 150 pane_has "== $section. " ||
			{ pane; echo "section $section did not come"; return 1; }
		[ "$section" -eq 8 ] && break
		wait_until 150 pane_has "-- press Enter for section $((section + 1)) --" ||
			{ pane; return 1; }
		refute pane_has "== $((section + 1)). "
	done
	wait_until 150 pane_has "demo-exit=" || { pane; return 1; }
	pane_has "every byte matched."
	pane_has "demo-exit=0"
	# the ladder, drawn on the terminal
	pane_has "|-------->|         USER anonymous"
	# the last screen holds the whole table of connections
	tmux -S "$TMUX_SOCK" capture-pane -p -t demo >"$BATS_TEST_TMPDIR/last"
	cat "$BATS_TEST_TMPDIR/last"
	grep -q "connections: who connected from where to where ==" "$BATS_TEST_TMPDIR/last"
}

# The screen as it stands (no scrollback), wrapped lines joined: a line
# longer than the pane's 80 columns is one that wrapped.
screen() {
	tmux -S "$TMUX_SOCK" capture-pane -p -J -t demo
}
screen_has() {	# (as pane_has)
	[[ $(screen) == *"$1"* ]]
}

@test "demo: DEMO_STEP=1 at 80x24: each section fits the screen it pauses on" {
	require tmux
	TMUX_SOCK=$BATS_TEST_TMPDIR/tmux.sock
	tmux -S "$TMUX_SOCK" new-session -d -s demo -x 80 -y 24 \
		"env DEMO_STEP=1 NO_COLOR=1 TMPDIR='$BATS_TEST_TMPDIR' \
		RAWFTP_BIN='$RAWFTP_BIN' '$REPO_ROOT/labs/demo'; echo demo-exit=\$?"
	# the demo waits for the first Enter: the pane outlives it from here
	tmux -S "$TMUX_SOCK" set-option -t demo remain-on-exit on >/dev/null
	# what each section that pauses must keep on its screen: its title,
	# the command it runs, the port arithmetic of its data connection
	local -a arith=("" "" "" "p1*256+p2 = " "p1*256+p2 = " "p1*256+p2 = " "and back: " "")
	local section shot
	for section in 1 2 3 4 5 6 7; do
		wait_until 300 screen_has "-- press Enter for section $((section + 1)) --" ||
			{ screen; echo "no pause after section $section"; return 1; }
		shot=$BATS_TEST_TMPDIR/screen.$section
		screen >"$shot"
		echo "-- the screen after section $section:"
		cat "$shot"
		grep -q "^== $section\. .* ==\$" "$shot"
		[ "$section" -ge 7 ] || grep -q '^  \$ ' "$shot"
		[ -z "${arith[section]}" ] || grep -qF -- "${arith[section]}" "$shot"
		# no line wrapped, so no number is cut in two
		[ -z "$(awk 'length($0) > 80' "$shot")" ]
		[ "$(wc -l <"$shot")" -le 24 ]
		tmux -S "$TMUX_SOCK" send-keys -t demo Enter
	done
	wait_until 300 screen_has "demo-exit=" || { screen; return 1; }
	screen_has "demo-exit=0"
	screen_has "every byte matched."
}

@test "demo: DEMO_STEP=1 with no terminal does not pause, and says so" {
	# setsid: no controlling terminal, so no /dev/tty either
	run --separate-stderr setsid -w env DEMO_STEP=1 TMPDIR="$BATS_TEST_TMPDIR" \
		timeout 60 "$REPO_ROOT/labs/demo" </dev/null
	echo "$output"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[[ $output == *"every byte matched."* ]]
	[[ $output != *"press Enter"* ]]
	[ "$stderr" = "demo: DEMO_STEP: no terminal to read Enter from: not pausing" ]
}
