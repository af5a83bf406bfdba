#!/usr/bin/env bats
# ftp-labd for a classroom: --class N, homes, the shared read-only pub/,
# permissions, quotas, per-user logs and summary lines, the labs' checks
# against a class server, and dropping root after binding.

load lib/common

setup() {
	T=$BATS_TEST_TMPDIR
	CLASS=$T/class
	mkdir -p "$CLASS/pub"
	(. "$REPO_ROOT/labs/lib/lab.bash" && lab_text >"$CLASS/pub/01test.txt" &&
		lab_repeat lab_all_bytes 64 "$CLASS/pub/bytes.bin" &&
		lab_repeat lab_bytes_down_crlf 40 "$T/upload.bin")
	# the class server's own user when root: it drops to nobody
	NOBODY_UID=$(id -u nobody 2>/dev/null || echo none)
}

teardown() {
	labd_stop
}

# start_class N [options]: a class server as a teacher starts it.  As
# root it drops to nobody (the homes are made nobody's).
start_class() {
	local n=$1 as=()
	shift
	[ "$EUID" -ne 0 ] || as=(--user nobody)
	LABD_ROOT=$CLASS labd_start --class "$n" --class-file "$T/accounts.txt" \
		--log-dir "$T/logs" --clock "${as[@]}" "$@"
}

# password_of USER: REPLY is USER's password (40 students ask for it
# again and again: a $(...) each was a process).
password_of() {
	account_password "$T/accounts.txt" "$1"
}

# account_url USER: REPLY is "ftp://USER:PASSWORD@HOST:PORT", a path to add.
account_url() {
	password_of "$1" || return 1
	REPLY="ftp://$1:$REPLY@$LABD_HOST:$LABD_PORT"
}

url() {	# url USER PATH
	account_url "$1" && echo "$REPLY$2"
}

# One scripted student doing labs 3 to 6 with curl, each transfer checked
# by the caller; the student's own downloads go to $T/c/NAME.
student() {
	local u=$1 c=$T/c/$1 k=(-sS --max-time 30) a
	account_url "$u" || return 1
	a=$REPLY
	mkdir -p "$c"
	cp "$T/upload.bin" "$c/upload.bin"
	printf 'typed by %s\n' "$u" >"$c/02test.txt"
	# lab 3: a folder, then a listing that shows it
	curl "${k[@]}" -Q "MKD work-$u" -o "$c/list3.txt" "$a/" || return 1
	# lab 4: passive downloads of the teacher's files
	curl "${k[@]}" -o "$c/01test.txt" "$a/pub/01test.txt" \
		-o "$c/bytes.bin" "$a/pub/bytes.bin" || return 1
	# lab 5: passive uploads
	curl "${k[@]}" -T "$c/upload.bin" "$a/upload.bin" \
		-T "$c/02test.txt" "$a/02test.txt" || return 1
	# lab 6: active mode (PORT), a listing and a download
	curl "${k[@]}" -P 127.0.0.1 --disable-eprt -o "$c/listing.txt" \
		"$a/pub/" -o "$c/bytes.bin" "$a/pub/bytes.bin" ||
		return 1
	# not allowed: writing pub/, reaching another student's folder
	refute curl "${k[@]}" -T "$c/02test.txt" "$a/pub/mine.txt" 2>/dev/null
	refute curl "${k[@]}" -Q "DELE ../student01/upload.bin" "$a/" \
		-o /dev/null 2>/dev/null
	echo "$u done" >"$c/done"
}

@test "labd class: 40 students at once through labs 3-6, each in their own home" {
	require curl
	start_class 40 --quota 64K
	[ "$(grep -c '^student[0-9][0-9]:' "$T/accounts.txt")" -eq 40 ]
	local i u pids=()
	for ((i = 1; i <= 40; i++)); do
		printf -v u 'student%02d' "$i"
		student "$u" >"$T/student$i.out" 2>&1 &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || { cat "$T/student$((i + 1)).out"; false; }
	done
	# (read by bash, the files compared by one sha256sum each: a cmp, ls,
	# cat and grep for each student were 400 processes)
	local home names uploads=() texts=() binaries=()
	for ((i = 1; i <= 40; i++)); do
		printf -v u 'student%02d' "$i"
		home=$CLASS/home/$u
		[ -f "$T/c/$u/done" ]
		# each works only in their own home
		names=("$home"/*)
		[ "${names[*]##*/}" = "02test.txt pub upload.bin work-$u" ]
		uploads+=("$home/upload.bin")
		[ "$(<"$home/02test.txt")" = "typed by $u" ]
		binaries+=("$T/c/$u/bytes.bin")
		texts+=("$T/c/$u/01test.txt")
		has_line_ending "$T/c/$u/listing.txt" ' bytes.bin'
		dir_is_empty "$home/pub"
	done
	same_bytes "$T/upload.bin" "${uploads[@]}"
	same_bytes "$CLASS/pub/bytes.bin" "${binaries[@]}"
	same_bytes "$CLASS/pub/01test.txt" "${texts[@]}"
	# student01's upload survived 39 attempts to delete it
	cmp "$CLASS/home/student01/upload.bin" "$T/upload.bin"
	# pub/ was written by nobody
	[ "$(ls "$CLASS/pub" | tr '\n' ' ')" = "01test.txt bytes.bin " ]
	[ "$(grep -c '\] confine: /pub/mine.txt refused (pub/ is shared and read-only)$' "$T/logs/class.log")" -eq 40 ]
	# the attempts on another's folder were refused and narrated
	[ "$(grep -c '\[[0-9]* student[0-9]*\] < 550 /student01/upload.bin: No such file or directory.$' "$T/logs/class.log")" -eq 40 ]
	# the narration is the class log; every line after a login names the user
	refute grep -q ' \[[0-9]*\] > RETR ' "$T/logs/class.log"
	grep -q '^[0-2][0-9]:[0-5][0-9]:[0-5][0-9]\.[0-9]\{6\} \[[0-9]* student07\] > RETR bytes.bin$' "$T/logs/class.log"
	# as root, the serving process is nobody after binding
	if [ "$(id -u)" -eq 0 ]; then
		grep -q "privileges: started as root; now serving as nobody (uid $NOBODY_UID" "$T/logs/class.log"
		[ "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$LABD_PID/status")" = "$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID" ]
	fi
}

# The sum of "KEY=N" over the summary lines of a log.
summary_sum() {
	sed -n "s/^.* summary: .* $1=\([0-9]*\).*$/\1/p" "$2" | awk '{ s += $1 } END { print s + 0 }'
}

# The sum of "data: VERB N bytes" lines of a log.
data_sum() {
	sed -n "s/^.* data: $1 \([0-9]*\) bytes, closed$/\1/p" "$2" | awk '{ s += $1 } END { print s + 0 }'
}

@test "labd class: per-user logs and summary lines add up to the transfers made" {
	require curl
	start_class 3 --quota 64K
	student student01 >"$T/s1.out" 2>&1 || { cat "$T/s1.out"; false; }
	student student02 >"$T/s2.out" 2>&1 || { cat "$T/s2.out"; false; }
	curl -sS -o /dev/null "ftp://anonymous:a@$LABD_HOST:$LABD_PORT/01test.txt"
	labd_stop	# every session closed: every summary written
	local up=$(( $(wc -c <"$T/upload.bin") + $(wc -c <"$T/c/student01/02test.txt") ))
	local u log
	for u in student01 student02; do
		log=$T/logs/$u.log
		# every line of the user's own log is theirs
		refute grep -v " \[[0-9]* $u\] " "$log"
		[ "$(summary_sum up "$log")" -eq "$up" ]
		[ "$(data_sum received "$log")" -eq "$up" ]
		[ "$(summary_sum down "$log")" -eq "$(data_sum sent "$log")" ]
		[ "$(summary_sum down "$log")" -gt $((2 * 16384)) ]
		[ "$(summary_sum stored "$log")" -eq 2 ]
		# 6 sessions; errors: the pub/ upload (553) and the DELE (550)
		[ "$(grep -c ' summary: user='"$u"' address=127.0.0.1 seconds=[0-9.]* commands=[0-9]* ' "$log")" -eq 6 ]
		[ "$(summary_sum errors "$log")" -eq 2 ]
	done
	[ ! -s "$T/logs/student03.log" ]
	# the anonymous visit: its own file; the class log has everyone
	grep -q ' summary: user=anonymous .* down=' "$T/logs/anonymous.log"
	[ "$(grep -c ' summary: ' "$T/logs/class.log")" -eq 13 ]
}

@test "labd class: the labs' checks judge one student from the class log" {
	require curl
	start_class 3 --quota 64K
	student student01 >"$T/s1.out" 2>&1 || { cat "$T/s1.out"; false; }
	# student02 made the folder, downloaded with no PASV ... and stopped
	curl -sS -Q "MKD mine" -o /dev/null "$(url student02 /)"
	local lab c
	for lab in 03-mkd-listing 04-passive-download 05-passive-upload 06-active-port; do
		run "$REPO_ROOT/labs/$lab/check" --log "$T/logs/class.log" --user student01 \
			--client "$T/c/student01"
		[ "$status" -eq 0 ] || { echo "$lab: $output"; false; }
		[[ $output == *"Lab complete."* ]]
	done
	# without --client, downloads are judged by what the server sent
	run "$REPO_ROOT/labs/04-passive-download/check" --log "$T/logs/class.log" --user student01
	[ "$status" -eq 0 ]
	[[ $output == *"OK: bytes.bin: the server sent all 16384 bytes (226)"* ]]
	# student02: lab 3 passes, lab 5 names what is missing
	run "$REPO_ROOT/labs/03-mkd-listing/check" --log "$T/logs/class.log" --user student02
	[ "$status" -eq 0 ]
	run "$REPO_ROOT/labs/05-passive-upload/check" --log "$T/logs/class.log" --user student02
	[ "$status" -eq 1 ]
	[[ $output == *"NOT YET: 02test.txt is not on the server"* ]]
	[[ $output == *"$CLASS/home/student02"* ]]
	# student03 never logged in
	run "$REPO_ROOT/labs/03-mkd-listing/check" --log "$T/logs/class.log" --user student03
	[ "$status" -eq 1 ]
	[[ $output == *"NOT YET: student03 has not logged in yet"* ]]
	# the teacher's table
	run "$REPO_ROOT/labs/class-summary" --log "$T/logs/class.log"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "student01    03 ok  04 ok  05 ok  06 ok" ]
	[ "${lines[1]}" = "student02    03 ok  04 --  05 --  06 --" ]
	[ "${#lines[@]}" -eq 2 ]
	run "$REPO_ROOT/labs/class-summary" --log "$T/logs/class.log" 05
	[ "${lines[1]}" = "student02    05 --" ]
	run "$REPO_ROOT/labs/class-summary" --log "$T/nowhere.log"
	[ "$status" -eq 66 ]
	[ "$output" = "labs/class-summary: --log $T/nowhere.log: cannot read it" ]
	run "$REPO_ROOT/labs/class-summary" --log "$T/logs/class.log" 99
	[ "$status" -eq 64 ]
	run "$REPO_ROOT/labs/03-mkd-listing/check" --user
	[ "$status" -eq 64 ]
	[ "$output" = "03-mkd-listing/check: --user needs a value; usage: check [--log FILE] [--user NAME] [--root DIR] [--client DIR]" ]
}

# 75 runs of the labs' checks (bash): not again under the sanitizers,
# where the server's part is what the other class tests drive
# bats test_tags=not-sanitized
@test "labd class: class-summary's verdicts are each lab's check, for students who pass and fail different labs" {
	require curl
	start_class 6 --quota 64K
	local pw
	# student01: labs 3 to 6
	student student01 >"$T/s1.out" 2>&1 || { cat "$T/s1.out"; false; }
	# student02: the same, then over the quota (lab 15 too)
	student student02 >"$T/s2.out" 2>&1 || { cat "$T/s2.out"; false; }
	head -c 70000 /dev/zero >"$T/big.bin"
	refute curl -sS -T "$T/big.bin" "$(url student02 /big.bin)" 2>/dev/null
	# student03: a folder and a listing, one of the two downloads
	curl -sS -Q "MKD mine" -o /dev/null "$(url student03 /)"
	curl -sS -o /dev/null "$(url student03 /pub/01test.txt)"
	# student04: HELP (lab 1), a download with no PASV (425)
	password_of student04
	pw=$REPLY
	printf 'USER student04\nPASS %s\nHELP\nCWD pub\nRETR bytes.bin\nQUIT\n' "$pw" |
		ftp-raw -w 10 "$LABD_HOST" "$LABD_PORT" >/dev/null
	# student05: an upload in ASCII mode; HELLP, a typo (500)
	curl -sS --use-ascii -T "$T/upload.bin" "$(url student05 /upload.bin)"
	password_of student05
	pw=$REPLY
	printf 'USER student05\nPASS %s\nHELLP\nQUIT\n' "$pw" |
		ftp-raw -w 10 "$LABD_HOST" "$LABD_PORT" >/dev/null
	labd_stop
	local all=(01 02 03 04 05 06 07 08 09 10 11 12 13 14 15)
	run "$REPO_ROOT/labs/class-summary" --log "$T/logs/class.log" --root "$CLASS" "${all[@]}"
	[ "$status" -eq 0 ]
	echo "$output"
	[ "${#lines[@]}" -eq 5 ]	# student06 never logged in
	local line name i n c checks=() want passed=0 failed=0
	for n in "${all[@]}"; do	# each lab's check, found once
		c=("$REPO_ROOT/labs/$n"-*/check)
		[ "${#c[@]}" -eq 1 ] && [ -x "${c[0]}" ]
		checks+=("${c[0]}")
	done
	for line in "${lines[@]}"; do
		name=${line%% *}
		printf -v want '%-12s' "$name"
		for i in "${!all[@]}"; do
			n=${all[i]}
			if "${checks[i]}" --log "$T/logs/class.log" --user "$name" --root "$CLASS" >/dev/null 2>&1; then
				want+=" $n ok "
				passed=$((passed + 1))
			else
				want+=" $n -- "
				failed=$((failed + 1))
			fi
		done
		[ "$line" = "${want% }" ] || { echo "class-summary: $line"; echo "the checks:    ${want% }"; false; }
	done
	# the class shows both verdicts, and the ones these students earned
	[ "$passed" -ge 10 ] && [ "$failed" -ge 10 ]
	[[ ${lines[0]} == "student01    01 --  02 --  03 ok  04 ok  05 ok  06 ok "*" 15 --" ]]
	[[ ${lines[1]} == "student02    01 --  02 --  03 ok  04 ok  05 ok  06 ok "*" 15 ok" ]]
	[[ ${lines[2]} == "student03    01 --  02 --  03 ok  04 --"* ]]
	[[ ${lines[3]} == "student04    01 ok  02 --"* ]]
	[[ ${lines[4]} == "student05    01 --  02 --  03 --  04 --  05 --"* ]]
}

@test "labd class: the teacher's view: a failed login in the student's log, a climb out of the home narrated, pub/ read-only in MLSD" {
	require curl
	start_class 3
	local h=$LABD_HOST:$LABD_PORT pw
	password_of student02
	pw=$REPLY
	# someone tries student02's account with a wrong password
	printf 'USER student02\nPASS guess\nQUIT\n' | ftp-raw -w 10 "$LABD_HOST" "$LABD_PORT" >/dev/null
	# student02 probes the neighbour's folder, and lists pub/ with facts
	printf 'USER student02\nPASS %s\nCWD ../student01\nQUIT\n' "$pw" |
		ftp-raw -w 10 "$LABD_HOST" "$LABD_PORT" >"$T/probe.out"
	grep -q '^550 /student01: No such file or directory.' "$T/probe.out"
	curl -sS -o "$T/mlsd.txt" -X MLSD "$(url student02 /pub/)"
	curl -sS -o "$T/mlsd-home.txt" -X MLSD "$(url student02 /)"
	labd_stop
	# the failed login is in student02's own log, not only in class.log
	grep -q '^[0-9:.]* \[[0-9]*\] login: wrong password for student02 (1 of 3)$' "$T/logs/student02.log"
	grep -q '\[[0-9]*\] login: wrong password for student02 (1 of 3)$' "$T/logs/class.log"
	refute grep -q 'wrong password' "$T/logs/student01.log"
	# the climb above the home's top is narrated where the teacher looks
	grep -q '\[[0-9]* student02\] confine: ../student01 climbs above / (the top of this session.s tree): taken as /student01$' "$T/logs/student02.log"
	# pub/ is read-only for a student: its files "r", nothing "adfrw"
	grep -q '^type=file;size=[0-9]*;modify=[0-9]*;perm=r;unique=[0-9a-fU]*; 01test.txt$' "$T/mlsd.txt"
	refute grep -q 'perm=adfrw' "$T/mlsd.txt"
	# in the home: pub itself "el", the student's own folder writable
	grep -q '^type=dir;.*;perm=el;.* pub$' "$T/mlsd-home.txt"
}

@test "labd class: quota and maximum file size get 552 and leave nothing behind" {
	require curl
	printf 'ann:pw:ann::20K\n' >"$T/users"
	mkdir -p "$T/root/ann"
	head -c 15000 /dev/urandom >"$T/root/ann/old.bin"
	head -c 30000 /dev/urandom >"$T/big.bin"
	head -c 4000 /dev/urandom >"$T/small.bin"
	LABD_ROOT=$T/root labd_start --users "$T/users" --max-file-size 100K
	local u="ftp://ann:pw@$LABD_HOST:$LABD_PORT"
	# a new file over the quota: 552, no file, no temporary file
	run curl -sS -T "$T/big.bin" "$u/new.bin"
	[[ $output == *"curl: (70) Exceeded storage allocation"* ]]
	[ "$(ls -A "$T/root/ann")" = old.bin ]
	grep -q '< 552 Exceeded storage allocation (the quota of ann is 20480 bytes, 15000 used); the upload is removed.$' "$LABD_LOG"
	# APPE over the quota: the file is cut back to what it was
	cp "$T/root/ann/old.bin" "$T/old.copy"
	run curl -sS -a -T "$T/big.bin" "$u/old.bin"
	[[ $output == *"curl: (70) Exceeded storage allocation"* ]]
	[ "$(grep -c '< 552 ' "$LABD_LOG")" -eq 2 ]
	cmp "$T/root/ann/old.bin" "$T/old.copy"
	# within the quota it works
	curl -sS -T "$T/small.bin" "$u/small.bin"
	cmp "$T/root/ann/small.bin" "$T/small.bin"
	labd_stop
	# --max-file-size without a quota
	printf 'bob:pw\n' >"$T/users"
	LABD_ROOT=$T/root labd_start --users "$T/users" --max-file-size 10K
	run curl -sS -T "$T/big.bin" "ftp://bob:pw@$LABD_HOST:$LABD_PORT/big.bin"
	[[ $output == *"curl: (70) Exceeded storage allocation"* ]]
	[ ! -e "$T/root/big.bin" ]
	grep -q '< 552 Exceeded storage allocation (the maximum file size is 10240 bytes); the upload is removed.$' "$LABD_LOG"
	[ "$(ls -A "$T/root")" = ann ]
}

@test "labd class: permission letters; anonymous only reads in class mode" {
	require curl
	printf 'reader:pw::r\nwriter:pw::rw\nmaker:pw::rm\n' >"$T/users"
	mkdir -p "$T/root"
	echo keep >"$T/root/keep.txt"
	echo data >"$T/up.txt"
	LABD_ROOT=$T/root labd_start --users "$T/users"
	local h="$LABD_HOST:$LABD_PORT"
	curl -sS -o "$T/got" "ftp://reader:pw@$h/keep.txt"
	run curl -sS -T "$T/up.txt" "ftp://reader:pw@$h/up.txt"
	[[ $output == *"550"* ]]
	[ ! -e "$T/root/up.txt" ]
	grep -q '\[[0-9]* reader\] perm: reader may not write (STOR)$' "$LABD_LOG"
	grep -q '\[[0-9]* reader\] < 550 Permission denied: reader may not write here.$' "$LABD_LOG"
	curl -sS -T "$T/up.txt" "ftp://writer:pw@$h/up.txt"
	cmp "$T/root/up.txt" "$T/up.txt"
	run curl -sS -Q "DELE keep.txt" -o /dev/null "ftp://writer:pw@$h/"
	[ "$status" -ne 0 ]
	[ -f "$T/root/keep.txt" ]
	grep -q 'perm: writer may not delete or rename (DELE)$' "$LABD_LOG"
	curl -sS -Q "MKD made" -o /dev/null "ftp://maker:pw@$h/"
	[ -d "$T/root/made" ]
	run curl -sS -Q "MKD made2" -o /dev/null "ftp://writer:pw@$h/"
	[ ! -e "$T/root/made2" ]
	labd_stop
	# class mode: anonymous sees pub/ and may not write it...
	start_class 2
	run curl -sS "ftp://anonymous:a@$LABD_HOST:$LABD_PORT/"
	[[ $output == *" bytes.bin"* ]]
	run curl -sS -T "$T/up.txt" "ftp://anonymous:a@$LABD_HOST:$LABD_PORT/up.txt"
	[[ $output == *"550"* ]]
	[ ! -e "$CLASS/pub/up.txt" ]
	labd_stop
	# ...unless the teacher says so (and lets the server's user write it)
	[ "$(id -u)" -ne 0 ] || chown nobody "$CLASS/pub"
	start_class 2 --anonymous-perms rw
	curl -sS -T "$T/up.txt" "ftp://anonymous:a@$LABD_HOST:$LABD_PORT/up.txt"
	cmp "$CLASS/pub/up.txt" "$T/up.txt"
	run ftp-labd --anonymous-perms rx -p 0
	[ "$status" -eq 64 ]
	[[ $output == *"--anonymous-perms: permission 'x' unknown: use r (read), w (write), d (delete, rename), m (make folders)" ]]
}

@test "labd class: the class file keeps its passwords and is never overwritten" {
	start_class 5
	labd_stop
	cp "$T/accounts.txt" "$T/first.txt"
	# readable passwords: no 0, O, o, 1, l, I
	[ "$(grep -c '^student0[1-5]:[a-km-np-z2-9]\{4\}-[a-km-np-z2-9]\{4\}:home/student0[1-5]:rwdm:0$' "$T/accounts.txt")" -eq 5 ]
	[ "$(stat -c %a "$T/accounts.txt")" = 600 ]
	# started again: the same passwords
	start_class 5
	labd_stop
	cmp "$T/accounts.txt" "$T/first.txt"
	# another class size: refused, the file untouched
	run ftp-labd -p 0 -r "$CLASS" --class 6 --class-file "$T/accounts.txt"
	[ "$status" -eq 73 ]
	[[ $output == *"--class-file $T/accounts.txt holds other accounts than --class 6 makes; it is not overwritten"* ]]
	cmp "$T/accounts.txt" "$T/first.txt"
	# a home of its own, with the empty pub/ where ROOT/pub shows
	[ -d "$CLASS/home/student05/pub" ] && [ -z "$(ls -A "$CLASS/home/student05/pub")" ]
}

# A class file whose passwords someone else chose or can read, and one
# the server would serve: refused at start, the file left as it was.
# Each server here must refuse to start (timeout stops one that serves,
# and the test fails).
class_refused() {	# class_refused STATUS CLASS-FILE
	local as_root=()
	[ "$EUID" -ne 0 ] || as_root=(--stay-root)
	run timeout 10 ftp-labd -p 0 -r "$CLASS" "${as_root[@]}" --class 2 \
		--class-file "$2"
	[ "$status" -eq "$1" ]
}

@test "labd class: a class file others can read or write, of another user's, or inside the served folder is refused" {
	printf 'student0%s:attacker%s:home/student0%s:rwdm:0\n' 1 1 1 2 2 2 \
		>"$T/planted.txt"
	chmod 644 "$T/planted.txt"
	class_refused 73 "$T/planted.txt"
	[ "$output" = "ftp-labd: --class-file $T/planted.txt: others can read or write it (mode 0644), so they may know or have chosen what it holds; make it your own (chmod 600 $T/planted.txt), or move it away" ]
	# a shared folder: whoever writes it could put a file there, or swap
	# it (a sticky one, as /tmp, keeps others from that: a file planted
	# there first is refused as another user's, below)
	mkdir -m 777 "$T/shared"
	class_refused 73 "$T/shared/class.txt"
	[[ $output == *"others can write the folder $T/shared (mode 0777)"* ]]
	[ -z "$(ls -A "$T/shared")" ]
	# inside the served folder (pub/ is anonymous's), new or there already
	local inside
	for inside in "$CLASS/pub/class.txt" "$CLASS/accounts.txt"; do
		class_refused 64 "$inside"
		[ "$output" = "ftp-labd: --class-file $inside is inside the served folder $CLASS, where it could be downloaded with every password; keep it outside" ]
		[ ! -e "$inside" ]
	done
	[ "$EUID" -eq 0 ] || skip "not root: a file of another user's needs root to make"
	chmod 600 "$T/planted.txt"
	chown nobody "$T/planted.txt"
	class_refused 73 "$T/planted.txt"
	[ "$output" = "ftp-labd: --class-file $T/planted.txt: planted.txt belongs to uid $NOBODY_UID, who could read it or change it; remove it or choose another name" ]
	[ "$(stat -c %U:%a "$T/planted.txt")" = nobody:600 ]
}

@test "labd class: bad --users fields are refused with their line" {
	local bad
	for bad in 'a:b:c:rwx' 'a:b:c:rw:lots' 'a:b:../x' 'a:b:/abs' 'a:b:c:r:1:extra' '.a:b' 'a b:c'; do
		printf '# ok\nfine:pw:home:rw:1M\n%s\n' "$bad" >"$T/u"
		run ftp-labd -p 0 --users "$T/u"
		[ "$status" -eq 65 ]
		[[ $output == "ftp-labd: --users: $T/u line 3: "* ]] || { echo "$bad: $output"; false; }
	done
	# a home that is not there: the login says so, the server does not die
	printf 'gone:pw:nowhere\n' >"$T/u"
	labd_start --users "$T/u"
	run curl -sS "ftp://gone:pw@$LABD_HOST:$LABD_PORT/"
	[ "$status" -ne 0 ]
	grep -q '< 530 Login refused: your home folder cannot be opened (No such file or directory); tell the teacher.$' "$LABD_LOG"
}

@test "labd privileges: as root, the server serves as nobody after binding port 21" {
	[ "$(id -u)" -eq 0 ] || skip "not root: dropping root needs root (CI runs as root)"
	[ "$NOBODY_UID" != none ] || skip "this system has no user nobody"
	# nobody may read the teacher's files, and write nothing of theirs
	chmod 755 "$CLASS" "$CLASS/pub"
	ftp-labd -p 21 -l 127.0.0.1 -r "$CLASS" --anonymous-perms r >"$T/out" 2>"$T/err" &
	LABD_PID=$!
	if ! wait_until 50 has_line "$T/out" 'listening on '; then
		grep -q 'Address already in use' "$T/err" && skip "port 21 is in use here"
		cat "$T/err"
		false
	fi
	grep -q '^listening on 127.0.0.1 port 21$' "$T/out"
	grep -q "privileges: started as root; now serving as nobody (uid $NOBODY_UID, gid " "$T/err"
	[ "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$LABD_PID/status")" = "$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID" ]
	[ "$(awk '/^Groups:/ { print $2 }' "/proc/$LABD_PID/status")" = "" ]
	# it still serves
	curl -sS -o "$T/got" "ftp://anonymous:a@127.0.0.1:21/pub/01test.txt"
	cmp "$T/got" "$CLASS/pub/01test.txt"
	labd_stop
	# staying root takes the flag, and is said
	LABD_ROOT=$CLASS labd_start --stay-root
	grep -q 'privileges: serving as root (--stay-root)' "$LABD_LOG"
	[ "$(awk '/^Uid:/ { print $2 }' "/proc/$LABD_PID/status")" = 0 ]
	labd_stop
	run ftp-labd -p 0 --user root
	[ "$status" -eq 64 ]
	[[ $output == *"--user: 'root' is root; name an unprivileged user, or use --stay-root"* ]]
	run ftp-labd -p 0 --user no-such-user-here
	[ "$status" -eq 64 ]
	run ftp-labd -p 0 --user nobody --stay-root
	[ "$status" -eq 64 ]
}

@test "labd privileges: not root, --user is a usage error" {
	[ "$(id -u)" -ne 0 ] || skip "root: tested by the test above"
	run ftp-labd -p 0 --user nobody
	[ "$status" -eq 64 ]
	[[ $output == *"--user nobody: only a server started as root can change user"* ]]
}
