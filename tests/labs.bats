#!/usr/bin/env bats
# The labs, done as the student reads them: every fenced step of each
# README (labs/lib/steps) typed into its terminal by labs/lib/run-lab,
# against labs/start's server, each expected screen waited for, and the
# lab's own check run at the end.  The docs cannot drift from this.
# bats file_tags=not-sanitized

load lib/common

setup() {
	LABS=$REPO_ROOT/labs
	export RUNLAB_DIR=$BATS_TEST_TMPDIR/run
	SERVER_PID=
}

teardown() {	# a server a test started itself (labs/start, by its group)
	[ -z "$SERVER_PID" ] || kill -TERM -- "-$SERVER_PID" 2>/dev/null || true
	labd_stop
}

# replay_fails MESSAGE: run-lab on the README in $BATS_TEST_TMPDIR/lab
# fails, saying MESSAGE.
replay_fails() {
	RUNLAB_WAIT=1 run "$LABS/lib/run-lab" "$BATS_TEST_TMPDIR/lab"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"$1"* ]]
}

# The port of the "listening on" line of a replay's screen (server.out...).
listening_port() {
	sed -n 's/^listening on .* port //p' "$RUNLAB_DIR/t/$1"
}

# replay DIR: run-lab on DIR's README.  As root, in a network namespace
# of its own where labs/start's passive ports (55573-55599) are reserved:
# no connect takes one of them, no other test listens there, so the
# README's passive numbers are checked as written (RUNLAB_LITERAL), as a
# student sees them.  Without root the numbers are read off the screen.
replay() {
	if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null ||
		! command -v ip >/dev/null; then
		run "$LABS/lib/run-lab" "$1"
		return
	fi
	cat >"$BATS_TEST_TMPDIR/netns" <<-'EOF'
		set -eu
		ip link set lo up
		echo 55573-55599 >/proc/sys/net/ipv4/ip_local_reserved_ports
		exec "$@"
	EOF
	RUNLAB_LITERAL=1 LAB_PASV_PORTS=55573-55599 \
		run unshare -n sh "$BATS_TEST_TMPDIR/netns" "$LABS/lib/run-lab" "$1"
}

run_lab() {
	replay "$LABS/$1"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"steps done"* ]]
	# The lab's check ran last and passed.
	grep -q '^Lab complete\.$' "$RUNLAB_DIR/t/run.out"
}

@test "lab 01 (connect and HELP): README steps run as written" {
	run_lab 01-connect-help
}

@test "lab 02 (anonymous login): README steps run as written" {
	run_lab 02-anonymous-login
}

@test "lab 03 (MKD and a listing): README steps run as written" {
	run_lab 03-mkd-listing
}

@test "lab 04 (passive download, two terminals): README steps run as written" {
	run_lab 04-passive-download
}

@test "lab 05 (passive upload, two terminals): README steps run as written" {
	run_lab 05-passive-upload
}

@test "lab 06 (active mode, PORT): README steps run as written" {
	run_lab 06-active-port
}

@test "lab 07 (EPSV, EPRT, IPv6): README steps run as written" {
	[ -n "$(ip -6 addr show lo 2>/dev/null)" ] || [ -f /proc/net/if_inet6 ] ||
		skip "no IPv6 on this machine"
	run_lab 07-epsv-eprt-ipv6
}

@test "lab 08 (TYPE A against TYPE I): README steps run as written" {
	run_lab 08-type-ascii-binary
}

@test "lab 09 (one pipeline, a coprocess): README steps run as written" {
	run_lab 09-pipeline
}

@test "lab 10 (curl through the narration, a pcap in tshark): README steps run as written" {
	require curl tshark
	run_lab 10-watch-a-client
}

@test "lab 11 (bounce and PASV theft refused, idle timeout): README steps run as written" {
	run_lab 11-timeout-and-bounce
}

@test "lab 12 (the wire view: --wire, --show-passwords, the ladder, a pcap in tshark when installed): README steps run as written" {
	run_lab 12-wire-view
	if command -v tshark >/dev/null 2>&1; then
		[[ $output != *"optional part skipped"* ]]
		grep -q '^OK: wire.pcap: tshark finds the PASS command in it$' "$RUNLAB_DIR/t/run.out"
	else
		[[ $output == *"optional part skipped"* ]]
	fi
}

@test "lab 13 (curl and FileZilla through ftp-tap, its web view, the ladder, a pcap in tshark and vsftpd when installed): README steps run as written" {
	require curl
	run_lab 13-watch-through-tap
	# section 7's tap ran with its web view, which curl read
	grep -q '^web view: http://127.0.0.1:[0-9]*/$' "$RUNLAB_DIR/home/rawftp-lab/tap-web.log"
	# section 8 reads the tap's capture with tshark, and section 9 is
	# replayed against vsftpd, wherever both are installed
	if command -v tshark >/dev/null 2>&1 && [ -x /usr/sbin/vsftpd ]; then
		[[ $output != *"optional part skipped"* ]]
		grep -q '^OK: through the tap, vsftpd sent ' "$RUNLAB_DIR/t/run.out"
		# section 8's "these are the commands": its tshark line, on the
		# capture the replay made, lists requests and no reply
		# (the replay's tap listened on a port of the kernel's, not 2100)
		local cmd tap
		cmd=$(grep '^tshark -r ~/rawftp-lab/tap.pcap .*ftp.request' \
			"$LABS/13-watch-through-tap/README.md")
		tap=$(tshark -r "$RUNLAB_DIR/home/rawftp-lab/tap.pcap" -T fields -e tcp.dstport -c 1 2>/dev/null)
		run env HOME="$RUNLAB_DIR/home" bash -c "${cmd//2100/$tap}"
		echo "$output"
		[[ $output == *" Request: RETR 01test.txt"* ]]
		refute grep -q ' Response: ' <<<"$output"
	else
		[[ $output == *"optional part skipped"* ]]
	fi
}

@test "lab 14 (NAT: a private address in 227, --ftp-skip-pasv-ip, the tap's --fix-pasv): README steps run as written" {
	require curl
	run_lab 14-why-passive-nat
}

@test "lab 15 (a class on one server: homes, pub/, quota, per-student logs, the check with --user): README steps run as written" {
	run_lab 15-class-server
	# as root (CI), the class server served as nobody
	if [ "$(id -u)" -eq 0 ]; then
		grep -q '\] privileges: started as root; now serving as nobody ' "$RUNLAB_DIR/home/class-logs/class.log"
	fi
}

@test "lab 16 (the projector: a passive and an active download in the web view, read through its event stream): README steps run as written" {
	require curl
	run_lab 16-projector
	# the replay's server ran with its web view, on a port of the kernel's
	grep -q '^web view: http://127.0.0.1:[0-9]*/$' "$RUNLAB_DIR/t/server.out"
	refute grep -q '^web view: http://127.0.0.1:8080/$' "$RUNLAB_DIR/t/server.out"
}

@test "labs: every lab folder has README, TEACHER and an executable check" {
	n=0
	for d in "$LABS"/[0-9][0-9]-*/; do
		[ -f "$d/README.md" ] || { echo "no README in $d"; return 1; }
		[ -f "$d/TEACHER.md" ] || { echo "no TEACHER.md in $d"; return 1; }
		[ -x "$d/check" ] || { echo "no executable check in $d"; return 1; }
		grep -q '^```sh server' "$d/README.md" || { echo "$d: no server step"; return 1; }
		grep -q "LABS\"/$(basename "$d")/check" "$d/README.md" ||
			{ echo "$d: README does not run its own check"; return 1; }
		n=$((n + 1))
	done
	[ "$n" -eq 16 ]	# one per workflow of DESIGN.md
}

@test "labs: every lab has a test above (none forgotten)" {
	for d in "$LABS"/[0-9][0-9]-*/; do
		name=$(basename "$d")
		grep -q "run_lab $name\$" "$BATS_TEST_FILENAME" ||
			{ echo "no test runs $name"; return 1; }
	done
}

@test "steps: pulls out tagged blocks in order, and only those" {
	cat >"$BATS_TEST_TMPDIR/r.md" <<'MD'
# A lab
```sh
echo not a step
```
```sh run first
echo one
```
```text screen1
220 ...
```
```text type1
USER anonymous
^D
```
MD
	run "$LABS/lib/steps" "$BATS_TEST_TMPDIR/r.md"
	[ "$status" -eq 0 ]
	[ "$output" = "@@ run first
|echo one
@@ screen1
|220 ...
@@ type1
|USER anonymous
|^D" ]
	run "$LABS/lib/steps" --id first "$BATS_TEST_TMPDIR/r.md"
	[ "$output" = "echo one" ]
}

@test "steps: an unclosed block or an unknown name is an error" {
	printf '```sh run\necho x\n' >"$BATS_TEST_TMPDIR/bad.md"
	run "$LABS/lib/steps" "$BATS_TEST_TMPDIR/bad.md"
	[ "$status" -eq 65 ]
	[[ $output == *"not closed"* ]]
	printf '```sh run x\necho x\n```\n' >"$BATS_TEST_TMPDIR/ok.md"
	run "$LABS/lib/steps" --id y "$BATS_TEST_TMPDIR/ok.md"
	[ "$status" -eq 65 ]
	[[ $output == *"no block named y"* ]]
	run "$LABS/lib/steps"
	[ "$status" -eq 64 ]
}

@test "run-lab: a README whose expected screen is wrong fails, naming the line" {
	mkdir -p "$BATS_TEST_TMPDIR/lab"
	cat >"$BATS_TEST_TMPDIR/lab/README.md" <<'MD'
```sh server
labs/start
```
```sh term1
. ~/rawftp-lab/env
ftp-raw 127.0.0.1 2121
```
```text type1
QUIT
```
```text screen1
221 Not what the server says.
```
MD
	replay_fails "expected line not shown in screen1: 221 Not what the server says."
	# and the server it started is gone
	port=$(listening_port server.out)
	[ -n "$port" ]
	refute ftp-raw -w 2 127.0.0.1 "$port" </dev/null
}

@test "run-lab: a failing 'sh run optional' block ends the replay there, and it passes" {
	mkdir -p "$BATS_TEST_TMPDIR/lab"
	cat >"$BATS_TEST_TMPDIR/lab/README.md" <<'MD'
```sh server
labs/start
```
```sh run
echo first part done
```
```sh run optional
ls /nonexistent/program
```
```sh run
echo never run
```
MD
	run "$LABS/lib/run-lab" "$BATS_TEST_TMPDIR/lab"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"optional part skipped at step 3: "*"/nonexistent/program"* ]]
	[ "$(cat "$RUNLAB_DIR/t/run.out")" = "first part done" ]
	# when it succeeds, the rest is replayed
	sed -i 's|ls /nonexistent/program|true|' "$BATS_TEST_TMPDIR/lab/README.md"
	rm -rf "$RUNLAB_DIR"
	run "$LABS/lib/run-lab" "$BATS_TEST_TMPDIR/lab"
	[ "$status" -eq 0 ]
	[[ $output == *"4 steps done"* ]]
	[ "$(cat "$RUNLAB_DIR/t/run.out")" = "never run" ]
}

@test "run-lab: a tap terminal: port 2100 is the tap's, its narration is waited for, and a restarted server keeps its port" {
	mkdir -p "$BATS_TEST_TMPDIR/lab"
	cat >"$BATS_TEST_TMPDIR/lab/README.md" <<'MD'
```sh server
labs/start
```
```sh tap
ftp-tap -p 2100 127.0.0.1 2121
```
```sh run
printf 'NOOP\nQUIT\n' | ftp-raw 127.0.0.1 2100
```
```text taplog
... [1] connect from 127.0.0.1 port ... to 127.0.0.1 port 2100
... [1] > NOOP
```
```sh server
labs/start --idle-timeout 30
```
```sh run
printf 'NOOP\nQUIT\n' | ftp-raw 127.0.0.1 2100
```
```text taplog
... [2] server: connected to 127.0.0.1 port 2121 from ...
... [2] < 221 Goodbye.
```
```text taplog
... [2] < 500 Not what the server says.
```
MD
	replay_fails "step 8 (taplog): expected line not shown in tap.out: ... [2] < 500 Not what the server says."
	# the tap listened on a port of its own, not on 2100, and the
	# restarted server on the first one's port
	tap=$(listening_port tap.out)
	ctl=$(listening_port server.out)
	[ -n "$tap" ] && [ "$tap" != 2100 ]
	grep -q "\[1\] server: connected to 127.0.0.1 port $ctl from" "$RUNLAB_DIR/t/tap.out"
	grep -q "\[2\] server: connected to 127.0.0.1 port $ctl from" "$RUNLAB_DIR/t/tap.out"
	# and both are gone
	refute ftp-raw -w 2 127.0.0.1 "$tap" </dev/null
	refute ftp-raw -w 2 127.0.0.1 "$ctl" </dev/null
}

@test "README.md: the 30-second tour runs as written" {
	replay "$REPO_ROOT"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^identical$' "$RUNLAB_DIR/t/run.out"
}

@test "docs: every relative link in README.md, labs/ and docs/ leads to a file" {
	cd "$REPO_ROOT"
	local md dir line rest link bad=0 lines re='\]\(([^)]*)\)'
	# each "](link)" of each line, found by bash (a dirname, grep and sed
	# for each of 40 files were 160 processes)
	for md in README.md labs/README.md labs/*/README.md labs/*/TEACHER.md docs/*.md; do
		dir=.
		[[ $md != */* ]] || dir=${md%/*}
		mapfile -t lines <"$md"
		for line in "${lines[@]}"; do
			rest=$line
			while [[ $rest =~ $re ]]; do
				rest=${rest#*"${BASH_REMATCH[0]}"}
				link=${BASH_REMATCH[1]%%#*}
				[ -n "$link" ] || continue
				case $link in http*://* | mailto:*) continue ;; esac
				[ -e "$dir/$link" ] || { echo "$md: broken link $link"; bad=1; }
			done
		done
	done
	[ "$bad" -eq 0 ]
}

@test "lab 15: the student's ftp-raw pipeline gives the terminal back at QUIT, with the keyboard still open" {
	export HOME=$BATS_TEST_TMPDIR/home
	mkdir -p "$HOME/class/pub"
	LABD_ROOT=$HOME/class labd_start --class 3 --class-file "$HOME/class-accounts.txt"
	local block keys=$BATS_TEST_TMPDIR/keys pid
	# the README's terminal 1 block, its port the server's
	block=$(awk '/^```sh term1$/ { on = 1; next } on && /^```$/ { exit } on' \
		"$LABS/15-class-server/README.md")
	[[ $block == *"| ftp-raw 127.0.0.1 2121"* ]]
	mkfifo "$keys"
	(cd "$REPO_ROOT" && exec bash -c "${block//2121/$LABD_PORT}") <"$keys" \
		>"$BATS_TEST_TMPDIR/term1.out" 2>&1 &
	pid=$!
	exec 7>"$keys"		# the keyboard: open until the test ends
	printf 'PWD\nQUIT\n' >&7
	wait_until 100 grep -q '^221 ' "$BATS_TEST_TMPDIR/term1.out"
	# the command line ends by itself: no Enter after the 221
	wait_until 50 eval '! kill -0 "$pid" 2>/dev/null' || {
		kill "$pid"; exec 7>&-; cat "$BATS_TEST_TMPDIR/term1.out"; false; }
	exec 7>&-
	labd_stop
	grep -q '^230 User student01 logged in.' "$BATS_TEST_TMPDIR/term1.out"
}

# The README tour's "```sh run" steps, one a line-separated block (NUL
# between blocks).
tour_run_blocks() {
	awk '/^```sh run$/ { on = 1; next } on && /^```$/ { on = 0; printf "%c", 0; next }
		on { print }' "$REPO_ROOT/README.md"
}

@test "README tour: each step run alone works, in a fresh terminal with nothing done before" {
	export HOME=$BATS_TEST_TMPDIR/home LAB_PORT=0
	mkdir -p "$HOME"
	setsid "$LABS/start" --fail-delay 0 >"$BATS_TEST_TMPDIR/server.out" 2>&1 &
	SERVER_PID=$!
	wait_until 100 has_line "$BATS_TEST_TMPDIR/server.out" 'listening on '
	local port block n=0
	port=$(sed -n 's/^listening on .* port //p' "$BATS_TEST_TMPDIR/server.out")
	while IFS= read -r -d '' block; do
		n=$((n + 1))
		# a fresh terminal: the system's PATH only, in the home folder
		run env -i HOME="$HOME" PATH=/usr/bin:/bin bash -c "cd && ${block//2121/$port}"
		echo "step $n: $output"
		[ "$status" -eq 0 ]
	done < <(tour_run_blocks)
	[ "$n" -eq 2 ]
}
