# lab.bash - what labs/start and every labs/NN-name/check share:
# where the lab lives, the sample files, and how a check speaks.
#
# The lab folder (RAWFTP_LAB, default ~/rawftp-lab) holds:
#   server/      the folder ftp-labd serves: the FTP root, "/"
#   client/      where the student works: downloads land here
#   server.log   the server's narration, which the checks read
#   env          ". ~/rawftp-lab/env" in a terminal: PATH, LABS, cd client/
# Sourced by bash scripts only; defines functions and variables, and, in
# a check, reads the options every check takes (lab_options, at the end).
# Sourced again where it is already loaded (a check that labs/class-summary
# runs in its own process), it does nothing: the caller set the scene.

[ -z "${LAB_BASH_LOADED:-}" ] || return 0
LAB_BASH_LOADED=1
export LC_ALL=C	# byte-wise sed, tr and sort on binary files
# The labs folder, as an absolute path: this file is labs/lib/lab.bash.
# Sourced by an absolute path as labs/start sources it (LABS/lib/lab.bash)
# or as a check does (LABS/NN-name/../lib/lab.bash), bash reads LABS off
# that path; any other path is resolved by cd and pwd, in a subshell (the
# checks source this file once each, and labs-checks runs hundreds of
# them: ${var%/*} is dirname without starting it).
if [[ ${BASH_SOURCE[0]} =~ ^((/[^/.][^/]*)+)/([^/.][^/]*/\.\./)?lib/lab\.bash$ ]]; then
	LABS=${BASH_REMATCH[1]}
else
	case ${BASH_SOURCE[0]} in
	*/*) LABS=${BASH_SOURCE[0]%/*}/.. ;;
	*) LABS=.. ;;
	esac
	LABS=$(cd "$LABS" && pwd)
fi
REPO=${LABS%/*}
LAB_DIR=${RAWFTP_LAB:-$HOME/rawftp-lab}
SERVER_DIR=$LAB_DIR/server
CLIENT_DIR=$LAB_DIR/client
LAB_LOG=$LAB_DIR/server.log
SAMPLES_DIR=$SERVER_DIR	# the server's copies of the sample files
LAB_USER=		# check --user NAME: one account of a class server

# lab_nap SECONDS: a pause that starts no process (read times out on a
# pipe that nothing writes to): the waits below poll every 25 ms, and a
# sleep(1) for each poll was a process on a busy machine.
lab_nap() {
	[ -n "${LAB_NAP_FD:-}" ] || exec {LAB_NAP_FD}<> <(:)
	read -r -t "$1" -u "$LAB_NAP_FD" _ || true
}

# The programs: those on PATH first (an installed copy, or the build the
# tests point at), else this repository's bin/.  Sets LAB_BINDIR to their
# folder (a variable, not stdout: no $(...) process).
lab_bindir() {
	# hash finds a program on PATH as running it would, and keeps its path
	# in BASH_CMDS: no process started.
	if hash ftp-labd 2>/dev/null && [ -n "${BASH_CMDS[ftp-labd]:-}" ]; then
		LAB_BINDIR=${BASH_CMDS[ftp-labd]%/*}
	else
		LAB_BINDIR=$REPO/bin
	fi
}

# Run as root, ftp-labd drops to nobody after binding, and nobody may not
# write the lab folder root made: a lab server started by root keeps root,
# with the explicit flag, and says so (a lab is meant for an ordinary
# user; a classroom server drops root: docs/classroom.md).
lab_root_flag() {
	[ "$EUID" -eq 0 ] || return 0
	echo "note: you are root; the lab server keeps root (--stay-root)" >&2
	echo --stay-root
}

# ---- the sample files ----

# 01test.txt: the seed's file name; text with LF line endings, so TYPE A
# visibly turns each LF into CRLF on the wire.
lab_text() {
	printf '%s\n' \
		"This is 01test.txt, served by the rawftp lab server." \
		"Each line of this file ends with a line feed (LF) only." \
		"In TYPE A (ASCII) the server sends CR LF instead;" \
		"in TYPE I (image, binary) it sends the bytes as they are." \
		"Five lines; the last one is this one."
}

# The binary samples are written with printf: a shell variable cannot
# hold a NUL byte, but a printf format can name one as \000.  Each
# function below sets LAB_BYTES to the format of one copy.

# Every byte value 0..255 once, in order (so it holds CR, LF, NUL, 0xFF).
lab_all_bytes() {
	local i o
	LAB_BYTES=
	for ((i = 0; i < 256; i++)); do
		printf -v o '\\%03o' "$i"
		LAB_BYTES+=$o
	done
}

# Byte values 255..0 but CR and LF, then CR LF: 256 bytes whose only CR
# and LF are one CR LF pair, which a TYPE A upload turns into LF.
lab_bytes_down_crlf() {
	local i o
	LAB_BYTES=
	for ((i = 255; i >= 0; i--)); do
		[ "$i" -eq 13 ] || [ "$i" -eq 10 ] && continue
		printf -v o '\\%03o' "$i"
		LAB_BYTES+=$o
	done
	LAB_BYTES+='\r\n'
}

# Writes $2 copies of the bytes function $1 names to file $3, with one
# printf that starts no process (printf repeats its format while
# arguments are left: "%.0s" takes one and prints nothing).
lab_repeat() {
	local n=$2 out=$3 i args=()
	"$1"
	for ((i = 0; i < n; i++)); do
		args+=(x)
	done
	# shellcheck disable=SC2059 # the format is the point
	printf "$LAB_BYTES%.0s" "${args[@]}" >"$out"
}

# Puts the sample files in place, overwriting earlier copies of them only:
# the student's own files and folders are kept.
lab_seed() {
	mkdir -p "$SERVER_DIR/pub" "$CLIENT_DIR" || return 1
	lab_text >"$SERVER_DIR/01test.txt"
	lab_repeat lab_all_bytes 64 "$SERVER_DIR/bytes.bin"	# 16384 bytes
	printf 'A file in a folder: CWD pub, then RETR readme.txt.\n' \
		>"$SERVER_DIR/pub/readme.txt"
	lab_repeat lab_bytes_down_crlf 40 "$CLIENT_DIR/upload.bin" # 10240 bytes
	lab_write_env
}

# The file a terminal sources: the programs on PATH, LABS for the check
# scripts, and the client folder as the working directory.
lab_write_env() {
	lab_bindir
	printf '%s\n' \
		"# . $LAB_DIR/env   (written by labs/start)" \
		"export PATH=\"$LAB_BINDIR:\$PATH\"" \
		"export LABS=\"$LABS\"" \
		"export RAWFTP_LAB=\"$LAB_DIR\"" \
		"cd \"$CLIENT_DIR\"" >"$LAB_DIR/env"
}

# ---- how a check speaks ----
# Every check prints what it looked at, then one verdict:
#   "OK: ..."        and exits 0
#   "NOT YET: ..."   followed by indented hints, and exits 1

LAB_FAILED=0

# What a check says, with the folder it made for itself (a class check
# without --client: LAB_TMP, removed when it exits) named as the student
# knows it: their own folder.
lab_say() {
	local text=$1
	if [ -n "${LAB_TMP:-}" ]; then
		text=${text//"$LAB_TMP/client/"/"your folder's "}
		text=${text//"$LAB_TMP/client"/"your folder"}
	fi
	printf '%s\n' "$text"
}

lab_title() {
	lab_say "$*"
}

lab_ok() {
	lab_say "OK: $*"
}

# lab_wrong "what is wrong" "hint" "hint"...
# With LAB_VERDICT_ONLY set (labs/class-summary, which keeps only the
# verdict), the first thing wrong ends the check at once: nothing after it
# can turn "NOT YET" into "OK", and what it would still look at and print
# costs time that 600 checks of a class add up.
lab_wrong() {
	LAB_FAILED=1
	[ -z "${LAB_VERDICT_ONLY:-}" ] || exit 1
	lab_say "NOT YET: $1"
	shift
	local h
	for h in "$@"; do
		lab_say "  $h"
	done
}

lab_done() {
	if [ "$LAB_FAILED" -eq 0 ]; then
		echo "Lab complete."
		exit 0
	fi
	exit 1
}

# Size in bytes of a file.
lab_size() {
	local n
	n=$(wc -c <"$1")
	echo "${n// /}"	# (BSD wc puts spaces before it)
}

# lab_size_of FILE: sets LAB_SIZE to FILE's size, remembered when
# lab_know_sizes was told it: labs/class-summary tells it the sample files
# every student is compared with, to ask wc once, not for each check.
declare -A LAB_SIZES=()
lab_size_of() {
	if [ -n "${LAB_SIZES[$1]+set}" ]; then
		LAB_SIZE=${LAB_SIZES[$1]}
	else
		LAB_SIZE=$(lab_size "$1")
	fi
}

# lab_know_sizes FILE...: remembers the sizes of files that stay as they are.
lab_know_sizes() {
	local f
	for f in "$@"; do
		[ ! -f "$f" ] || LAB_SIZES[$f]=$(lab_size "$f")
	done
}

# Number of LF bytes in a file.
lab_lines() {
	tr -cd '\n' <"$1" | wc -c | tr -d ' '
}

# Number of CR bytes in a file.
lab_crs() {
	tr -cd '\r' <"$1" | wc -c | tr -d ' '
}

# lab_same_file GOT WANT NAME: is GOT a byte-for-byte copy of WANT?  When
# not, says which mistake it looks like.  Returns 0 when identical.
lab_same_file() {
	local got=$1 want=$2 name=$3 gs ws
	if [ ! -e "$got" ]; then	# (GOT is FOLDER/FILE: no dirname started)
		lab_wrong "$name is missing: there is no ${got##*/} in ${got%/*}" \
			"Did the data connection's output go to a file?" \
			"(ftp-dataconn ... > ${got##*/}, run in ${got%/*})"
		return 1
	fi
	if cmp -s "$got" "$want"; then
		lab_size_of "$got"
		lab_ok "$name: $LAB_SIZE bytes, identical to $want"
		return 0
	fi
	# Not a copy: every way on says NOT YET, and finds out why with a dozen
	# processes; labs/class-summary keeps the verdict only, so it stops here.
	[ -z "${LAB_VERDICT_ONLY:-}" ] || lab_wrong "$name is not a copy of $want"
	gs=$(lab_size "$got")
	ws=$(lab_size "$want")
	if [ "$gs" -eq 0 ]; then
		lab_wrong "$name is empty (0 bytes); it should be $ws bytes" \
			"The data connection carried nothing: was RETR/STOR sent," \
			"and did it get 150 then 226?  A 425 or 550 means it did not."
		return 1
	fi
	if lab_is_crlf_of "$got" "$want"; then
		lab_wrong "$name went through ASCII mode: $gs bytes instead of $ws" \
			"Each LF became CR LF.  Send TYPE I before the transfer" \
			"(binary: bytes exactly as they are), then transfer again."
		return 1
	fi
	if lab_is_crlf_of "$want" "$got"; then
		lab_wrong "$name lost its CR bytes: $gs bytes instead of $ws" \
			"Each CR LF became LF: it went through ASCII mode" \
			"(TYPE A, or ftp-dataconn --ascii).  Use TYPE I and no --ascii."
		return 1
	fi
	if [ "$gs" -lt "$ws" ] && cmp -s "$got" <(head -c "$gs" "$want"); then
		lab_wrong "$name is cut short: $gs of $ws bytes" \
			"The transfer stopped early: was the data connection closed" \
			"before the end (Ctrl-C), or did the server answer 426?"
		return 1
	fi
	if [ "$gs" -ne "$ws" ]; then
		lab_wrong "$name has the wrong size: $gs bytes, expected $ws" \
			"It is not the file on the other side: check the file name" \
			"in RETR/STOR and where the output was redirected."
		return 1
	fi
	lab_wrong "$name has the right size ($gs bytes) but different bytes" \
		"Compare them: cmp $got $want"
	return 1
}

# File $1 with a CR put before every LF (what TYPE A sends for a Unix file).
lab_crlf() {
	if [ "$(tail -c 1 "$1" | od -An -tu1 | tr -d ' ')" = 10 ]; then
		sed 's/$/\r/' "$1"
	else	# no LF at the very end: sed would add a CR there too
		sed 's/$/\r/' "$1" | head -c -1
	fi
}

# Is file A exactly file B with every LF turned into CR LF?
lab_is_crlf_of() {
	[ "$(lab_lines "$2")" -gt 0 ] && cmp -s "$1" <(lab_crlf "$2")
}

# ---- the narration (server.log) ----
# Lines look like "   1.234567 [3] > USER anonymous": time, [session],
# ">" what the client sent, "<" what the server answered (ftp-labd(1)).

lab_need_log() {
	if [ -n "$LAB_USER" ] && [ ! -s "$LAB_LOG" ]; then
		lab_wrong "$LAB_USER has not logged in yet (no session of theirs in $LAB_FROM)" \
			"Connect to the class server and log in: USER $LAB_USER, then PASS" \
			"with the password on your slip."
		lab_done
	fi
	if [ ! -s "$LAB_LOG" ]; then
		lab_wrong "the server has narrated nothing yet ($LAB_LOG)" \
			"Start the lab server with labs/start (it keeps this log)," \
			"then connect to it: ftp-raw 127.0.0.1 2121"
		lab_done
	fi
}

# ---- the narration, read once ----
# A class of 40 runs 600 checks (labs/class-summary): a process started
# costs milliseconds, a bash loop over a student's hundred lines far less.
# So lab_parse reads LAB_LOG once into arrays, with bash alone but for the
# one awk of lab_transfers, and the helpers below look at those arrays;
# those named "sets LAB_..." answer in a variable, not on stdout, because
# $(...) would start a process too.
#   LAB_LINES   the lines of LAB_LOG as they are (what grep reads)
#   LAB_NARR    the same with the wire view's line endings taken off (a
#               server started with --wire narrates "> HELP\r\n", and a
#               bare LF with a flag)
#   LAB_SAID    "ID TEXT": each line of a session, without time and id
#   LAB_SENT    "ID COMMAND ARGS": the commands the clients sent
#   LAB_XFERS   the transfers, as lab_transfers prints them
# It reads again only when LAB_LOG names another file (lab 12 and 13 read
# two logs).
lab_parse() {
	[ -z "${LAB_PARSED+set}" ] || [ "$LAB_PARSED" != "$LAB_LOG" ] || return 0
	LAB_LINES=() LAB_NARR=() LAB_SAID=() LAB_SENT=() LAB_XFERS=()
	[ -r "$LAB_LOG" ] && mapfile -t LAB_LINES <"$LAB_LOG"
	local line re='^ *[0-9.:]* \[([0-9]*)\] (.*)$'
	for line in "${LAB_LINES[@]}"; do
		line=${line%'\r\n'}
		line=${line%'\n   <- bare LF, no CR: accepted, but RFC 959 asks for CR LF'}
		line=${line%'\n'}
		LAB_NARR+=("$line")
		[[ $line =~ $re ]] || continue
		LAB_SAID+=("${BASH_REMATCH[1]} ${BASH_REMATCH[2]}")
		[[ ${BASH_REMATCH[2]} == '> '* ]] &&
			LAB_SENT+=("${BASH_REMATCH[1]} ${BASH_REMATCH[2]#> }")
	done
	[ ${#LAB_NARR[@]} -eq 0 ] || mapfile -t LAB_XFERS < <(lab_transfers_awk)
	LAB_PARSED=$LAB_LOG
}

# lab_grep ERE [FILE...]: does a line of FILE (default LAB_LOG) match the
# extended regular expression, as grep -Eqs would say?  LAB_LOG's lines
# are looked at in memory; another file is given to grep.
lab_grep() {
	local re=$1 f line
	shift
	for f in "${@:-$LAB_LOG}"; do
		if [ "$f" = "$LAB_LOG" ]; then
			lab_parse
			for line in "${LAB_LINES[@]}"; do
				[[ $line =~ $re ]] && return 0
			done
		elif [ -r "$f" ]; then
			grep -Eqs -- "$re" "$f" && return 0
		fi
	done
	return 1
}

# lab_count ERE: sets LAB_COUNT, how many lines of LAB_LOG match (grep -Ec).
lab_count() {
	local line
	lab_parse
	LAB_COUNT=0
	for line in "${LAB_LINES[@]}"; do
		[[ $line =~ $1 ]] && LAB_COUNT=$((LAB_COUNT + 1))
	done
}

# lab_found_in ERE ARRAY-NAME: sets LAB_FOUND to the lines of the array
# that match, in order (ERE without case when LAB_ANYCASE is set); true
# when it found one.
lab_found_in() {
	local -n from=$2
	local line
	LAB_FOUND=()
	[ -z "${LAB_ANYCASE:-}" ] || shopt -s nocasematch
	for line in "${from[@]}"; do
		[[ $line =~ $1 ]] && LAB_FOUND+=("$line")
	done
	shopt -u nocasematch
	[ ${#LAB_FOUND[@]} -gt 0 ]
}

# lab_sent_lines ERE: sets LAB_FOUND to the commands sent, "ID COMMAND
# ARGS" as lab_sent prints them, that match ERE in any case (grep -Ei);
# true when one does.
lab_sent_lines() {
	lab_parse
	LAB_ANYCASE=1 lab_found_in "$1" LAB_SENT
}

# lab_said_lines ERE: sets LAB_FOUND to the session lines, "ID TEXT",
# that match ERE ("^7 < 425 ": session 7's 425 replies); true when one does.
lab_said_lines() {
	lab_parse
	lab_found_in "$1" LAB_SAID
}

# The narration, with the line endings of the wire view taken off.
lab_narration() {
	lab_parse
	[ ${#LAB_NARR[@]} -eq 0 ] || printf '%s\n' "${LAB_NARR[@]}"
}

# Commands the clients sent, one per line, as "ID COMMAND ARGS".
lab_sent() {
	lab_parse
	[ ${#LAB_SENT[@]} -eq 0 ] || printf '%s\n' "${LAB_SENT[@]}"
}

# Every narration line of one session, without time and id.
lab_session() {
	local line
	lab_said_lines "^$1 "
	for line in "${LAB_FOUND[@]}"; do
		printf '%s\n' "${line#"$1" }"
	done
}

# lab_reply ID VERB: sets LAB_REPLY to "CODE TEXT", the last final reply
# after the last VERB (any case) of session ID; empty when none.
lab_reply() {
	local line text word inside= final='^< [0-9]{3} '
	lab_said_lines "^$1 "
	LAB_REPLY=
	for line in "${LAB_FOUND[@]}"; do
		text=${line#"$1" }
		if [[ $text == '> '* ]]; then
			read -r word _ <<<"${text#> }"
			inside=
			[ "${word^^}" != "${2^^}" ] || { inside=1; LAB_REPLY=; }
		elif [ -n "$inside" ] && [[ $text =~ $final ]]; then
			LAB_REPLY=${text#< }
		fi
	done
}

# The reply that followed a command: lab_reply_to ID VERB (case-insensitive)
# prints "CODE TEXT" of the last final reply after the last such command.
lab_reply_to() {
	lab_reply "$@"
	[ -z "$LAB_REPLY" ] || printf '%s\n' "$LAB_REPLY"
}

# ---- transfers: each with its own reply ----
# lab_transfers prints one line a transfer command (RETR STOR APPE STOU
# LIST NLST MLSD), in the order sent, tab-separated:
#   ID VERB PATH REPLY BYTES PORT SUM SECS T150 TEND END
# PATH is the file as the server resolved it: the argument joined to the
# session's working directory (from "250 Directory changed to ..."), "."
# and ".." taken out, so "RETR pub/01test.txt" and "CWD pub", "RETR
# 01test.txt" are both /pub/01test.txt.  REPLY is the final reply to that
# command (not to a later one); BYTES what its data connection carried;
# PORT and SUM the passive port it was to use (and p1*256+p2); SECS, T150
# and TEND how long the server waited for a data connection nobody made,
# from when (the 150) to when, on the narration's clock; END "reply",
# "closed" (the control connection ended first: the client quit or was
# stopped mid-transfer) or "open" (still going).  "-" for what is unknown.
lab_transfers() {
	lab_parse
	[ ${#LAB_XFERS[@]} -eq 0 ] || printf '%s\n' "${LAB_XFERS[@]}"
}

# The awk that finds them, run once a narration (lab_parse).
lab_transfers_awk() {
	printf '%s\n' "${LAB_NARR[@]}" | awk -v OFS='\t' '
		function norm(cwd, arg,   s, n, i, k, p, part, res) {
			s = substr(arg, 1, 1) == "/" ? arg : cwd "/" arg
			n = split(s, part, "/"); k = 0
			for (i = 1; i <= n; i++) {
				p = part[i]
				if (p == "" || p == ".") continue
				if (p == "..") { if (k > 0) k--; continue }
				kept[++k] = p
			}
			res = ""
			for (i = 1; i <= k; i++) res = res "/" kept[i]
			return res == "" ? "/" : res
		}
		function v(x) { return x == "" ? "-" : x }
		function put(id, how) {
			print id, verb[id], path[id], v(reply[id]), v(bytes[id]),
				v(port[id]), v(sum[id]), v(secs[id]), v(t150[id]),
				v(tend[id]), how
			delete open[id]; reply[id] = ""
		}
		!match($0, /^ *[0-9.:]+ \[[0-9]+\] /) { next }
		{	split($0, f, " "); t = f[1]; id = f[2]; gsub(/[][]/, "", id)
			rest = substr($0, RLENGTH + 1)
			if (!(id in cwd)) cwd[id] = "/" }
		rest ~ /^> / {
			if (id in open) next	# ABOR, STAT... during a transfer
			w = substr(rest, 3); vb = toupper(w); sub(/ .*/, "", vb)
			if (vb !~ /^(RETR|STOR|APPE|STOU|LIST|NLST|MLSD)$/) next
			arg = w; if (!sub(/^[^ ]* /, "", arg)) arg = ""
			open[id] = 1; verb[id] = vb; path[id] = norm(cwd[id], arg)
			bytes[id] = secs[id] = t150[id] = tend[id] = ""
			next }
		rest ~ /^data: (PASV|EPSV) listening on / {
			n = split(rest, g, " "); port[id] = g[5]; sum[id] = ""
			if (g[n - 1] == "=") sum[id] = g[n]
			sub(/.*:/, "", port[id]); next }
		rest ~ /^< 250 Directory changed to / {
			d = rest; sub(/^< 250 Directory changed to /, "", d)
			sub(/\.$/, "", d); cwd[id] = d; next }
		!(id in open) { next }
		rest ~ /^< 1[0-9][0-9] / { t150[id] = t; next }
		rest ~ /^data: no connection within / {
			secs[id] = f[7]; tend[id] = t; next }
		rest ~ /^data: (sent|received) [0-9]+ bytes/ { bytes[id] = f[5]; next }
		rest ~ /^< [2-5][0-9][0-9] / { reply[id] = substr(rest, 3); put(id, "reply"); next }
		rest == "closed" { put(id, "closed") }
		END { for (id in open) put(id, "open") }'
}

# lab_vpath FILE: sets LAB_VPATH to the server's path for FILE as a check
# names it: "/FILE", or FILE when it starts with "/".
lab_vpath() {
	case $1 in
	/*) LAB_VPATH=$1 ;;
	*) LAB_VPATH=/$1 ;;
	esac
}

# lab_vpath_of FILE: sets LAB_VPATH to the server's path of a file on its
# disk, as a student's session sees it: below the student's folder
# (SERVER_DIR) from "/", or in a class server's shared pub/ (SAMPLES_DIR)
# as "/pub/...".
lab_vpath_of() {
	case $1 in
	"$SERVER_DIR"/*) LAB_VPATH=/${1#"$SERVER_DIR"/} ;;
	"$SAMPLES_DIR"/*) LAB_VPATH=/pub/${1#"$SAMPLES_DIR"/} ;;
	*) LAB_VPATH=/${1##*/} ;;
	esac
}

# lab_transfer_rec VERB PATH: sets LAB_REC to the last transfer of VERB
# (any case) of the server path PATH, as a lab_transfers line, else of PATH
# in another case (01TEST.TXT: its 550 says why); empty when never sent.
lab_transfer_rec() {
	local rec f=() near=
	lab_parse
	LAB_REC=
	for rec in "${LAB_XFERS[@]}"; do
		IFS=$'\t' read -r -a f <<<"$rec"
		[ "${f[1]}" = "${1^^}" ] || continue
		[ "${f[2]}" = "$2" ] && LAB_REC=$rec
		[ "${f[2],,}" = "${2,,}" ] && near=$rec
	done
	[ -n "$LAB_REC" ] || LAB_REC=$near
}

# lab_transfer_of VERB PATH: prints what lab_transfer_rec finds.
lab_transfer_of() {
	lab_transfer_rec "$@"
	[ -z "$LAB_REC" ] || printf '%s\n' "$LAB_REC"
}

# The session id of the last VERB FILE in the narration (FILE as
# lab_vpath takes it); nothing when it was never sent.
lab_last_session_of() {
	lab_vpath "$2"
	lab_transfer_rec "$1" "$LAB_VPATH"
	[ -z "$LAB_REC" ] || printf '%s\n' "${LAB_REC%%$'\t'*}"
}

# lab_transfer_trouble VERB FILE [PATH]: when the narration shows VERB FILE
# (RETR, STOR...; PATH its server path, default lab_vpath FILE) failing,
# explains why from what the server saw of that very transfer: no PASV
# before it, nobody connecting to the data port in time (wrong port, or
# too slow), a data connection that stalled (426), the control connection
# closed mid-transfer, a wrong name, no login.
lab_transfer_trouble() {
	local verb=$1 file=$2 vpath=${3:-} rec reply bytes how
	[ -n "$vpath" ] || { lab_vpath "$file"; vpath=$LAB_VPATH; }
	lab_transfer_rec "$verb" "$vpath"
	rec=$LAB_REC
	[ -n "$rec" ] || return 1
	IFS=$'\t' read -r _ _ _ reply bytes _ _ _ _ _ how <<<"$rec"
	[ "$reply" = - ] && reply=
	[ "$bytes" = - ] && bytes=0
	case $how:$reply in
	closed:*)
		lab_wrong "$verb $file was cut: the control connection closed during it" \
			"The data connection had carried $bytes bytes when terminal 1's" \
			"connection ended (ftp-raw stopped, by Ctrl-C or a closed window)." \
			"$([ "$verb" = RETR ] && echo "A download" ||
				echo "The server keeps no part of an upload cut so; one") is done at its 226" \
			"(Transfer complete): keep ftp-raw running until then, then QUIT." ;;
	*:"425 Use "*)
		lab_wrong "$verb $file got \"$reply\": no PASV before it" \
			"The server did not know where the data connection would come" \
			"from.  Send PASV (or EPSV), read the port from its reply," \
			"then $verb $file, then connect ftp-dataconn to that port." ;;
	*:425*) lab_no_data_connection "$rec" "$file" ;;
	*:426*)
		lab_wrong "$verb $file got \"$reply\"" \
			"The data connection was open, but no byte moved for as long" \
			"as the server waits (a pause while typing into ftp-dataconn?)," \
			"so it gave up.  An upload cut this way leaves any old file as it was." \
			"Have the data ready before you connect, or type without long pauses." ;;
	*:550*)
		lab_wrong "$verb $file got \"$reply\"" \
			"Check the file name (names are case-sensitive)." ;;
	*:530*)
		lab_wrong "$verb $file got \"$reply\": log in first (USER, PASS)" ;;
	*) return 1 ;;
	esac
	return 0
}

# The 425 after a wait: nobody connected to the data port (REC: the
# transfer's lab_transfers line).  The narration cannot see a connection
# that went to the wrong port, nor one that came after the port closed:
# both are refused at once, so the time tells the student which it was.
lab_no_data_connection() {
	local rec=$1 file=$2 verb reply port sum secs t0 t1
	IFS=$'\t' read -r _ verb _ reply _ port sum secs t0 t1 _ <<<"$rec"
	[ "$sum" = - ] && sum= || sum=" = $sum"
	[ "$port" = - ] && port='?'
	[ "$secs" = - ] && secs='?'
	lab_wrong "$verb $file got \"$reply\": nobody connected to the data port" \
		"The server listened on port $port$sum from the 150 (at $t0 s)" \
		"and gave up $secs seconds later (at $t1 s, the server's clock), with the 425." \
		"If ftp-dataconn started after that 425 was in terminal 1, it was too" \
		"late: the port was closed (so it said 'Connection refused')." \
		"If it started before and was refused all the same, the port was" \
		"wrong: it is p1*256+p2 (not p1+p2 or p1*p2).  PASV again, then retry."
}

# lab_bytes_sent VERB PATH: sets LAB_BYTES to the bytes the last VERB of
# server path PATH that got 226 carried; empty when none did.
lab_bytes_sent() {
	local rec f=()
	LAB_BYTES=
	for rec in "${LAB_XFERS[@]}"; do
		IFS=$'\t' read -r -a f <<<"$rec"
		[ "${f[1]}" = "$1" ] && [ "${f[2]}" = "$2" ] && [[ ${f[3]} == '226 '* ]] &&
			LAB_BYTES=${f[4]}
	done
}

# lab_transfer_check VERB FILE GOT WANT NAME: the narration first, then
# the file.  OK when GOT is a copy of WANT; otherwise the reason the server
# saw (lab_transfer_trouble), or that it never saw VERB FILE at all, or
# what the file itself shows (lab_same_file).  The transfer is found by the
# server's path of the file on the server's side (WANT for a download, GOT
# for an upload), so "RETR pub/01test.txt" on a class server counts; FILE
# is shown as the path from the session's "/" ("pub/01test.txt" there).
lab_transfer_check() {
	local verb=$1 file=$2 got=$3 want=$4 name=$5 vpath rec n what
	if [ -e "$got" ] && cmp -s "$got" "$want"; then
		lab_same_file "$got" "$want" "$name"
		return
	fi
	case $verb in
	RETR) lab_vpath_of "$want" ;;
	*) lab_vpath_of "$got" ;;
	esac
	vpath=$LAB_VPATH
	file=${vpath#/}
	lab_transfer_rec "$verb" "$vpath"
	rec=$LAB_REC
	# unseen: any complete transfer counts, even with a failed one after it
	if [ -n "${LAB_CLIENT_UNSEEN:-}" ] && [ ! -e "$got" ] && [ -n "$rec" ]; then
		lab_bytes_sent "$verb" "$vpath"
		n=$LAB_BYTES
		lab_size_of "$want"
		if [ -n "$n" ] && [ "$n" = "$LAB_SIZE" ]; then
			lab_ok "$name: the server sent all $n bytes (226); the copy on the student's side is not looked at (--client DIR)"
			return 0
		fi
	fi
	if [ -s "$LAB_LOG" ]; then
		lab_transfer_trouble "$verb" "$file" "$vpath" && return 1
		if [ ! -s "$got" ] && [ -z "$rec" ]; then
			what=missing	# (a variable, not $(...): no process started)
			[ ! -e "$got" ] || what="empty (0 bytes)"
			lab_wrong "$name is $what: the server never got $verb $file" \
				"The narration has no $verb $file: the file was never asked for." \
				"(A redirection like > ${got##*/} makes an empty file before" \
				"anything is transferred.)  Send $verb $file on the control connection."
			return 1
		fi
	fi
	lab_same_file "$got" "$want" "$name"
}

# ---- a class server: check --log FILE --user NAME [--root DIR] [--client DIR] ----
# Every check takes these.  --log reads that narration instead of the lab
# folder's; --user keeps only the sessions NAME logged in to (their lines
# read "[ID NAME]" after the login; the lines before it are kept too), so
# the rest of the check reads one student's work as it reads a laptop's.
# The server's folders come from the narration: ROOT from its "serving"
# line (when absolute; --root DIR otherwise), the home from the login
# line; the sample files are ROOT/pub's.  --client DIR is where the
# student's downloads are, when the check can see them.

# lab_split_users DIR FILE: one pass over narration FILE; each session's
# lines go to DIR/NAME, NAME the account that logged in on it, as "[ID]"
# lines (the "[ID NAME]" lines and the "[ID]" lines before the login);
# sessions nobody logged in to by name are dropped when they end.  A
# "serving" line starts a new server, whose session numbers start again.
lab_split_users() {
	mkdir -p "$1" || return 1
	awk -v dir="$1" '
		/^ *[0-9.:]* \[0\] serving / { split("", who); split("", buf); next }
		!match($0, /\[[0-9]+( [^]]*)?\]/) { next }
		{	n = split(substr($0, RSTART + 1, RLENGTH - 2), w, " ")
			id = w[1]
			if (id == 0) next
			line = $0
			sub(/\[[0-9]+( [^]]*)?\]/, "[" id "]", line)
			if (n == 2 && !(id in who) && w[2] !~ /\//) {
				who[id] = dir "/" w[2]
				if (id in buf) printf "%s", buf[id] > who[id]
				delete buf[id]
			}
			if (id in who) print line > who[id]
			else buf[id] = buf[id] line "\n"
			if (line ~ /\] summary: /) { delete who[id]; delete buf[id] }
		}' "$2"
}

# The folder a class server served, from its last "serving" line in
# narration FILE (when it is absolute).
lab_served_root() {
	sed -n 's/^ *[0-9.:]* \[0\] serving \(\/.*\) on .* port [0-9]* (.*$/\1/p' \
		"$1" | tail -n 1
}

# lab_judge_user NAME NARRATION ROOT: the rest of a check reads NAME's
# work: LAB_LOG is NARRATION (NAME's sessions, as lab_user_lines gives
# them), the home is the one its login line names, below ROOT (when
# known), and the sample files are ROOT/pub's.
lab_judge_user() {
	local line home= login
	LAB_USER=$1
	LAB_LOG=$2
	lab_parse	# what every check of this student reads, read once
	login=" login: user $LAB_USER, home "	# the home: from the last such line
	for line in "${LAB_LINES[@]}"; do
		[[ $line == *"$login"* ]] && home=${line##*"$login"}
	done
	[ -n "$3" ] || return 0
	# shellcheck disable=SC2034 # for the checks that source this
	SAMPLES_DIR=$3/pub
	SERVER_DIR=$3${home:+/$home}
}

# A folder for what the student's side would hold, which the check cannot
# see: the sample every student uploads.  CLIENT_DIR is it.
lab_unseen_client() {
	CLIENT_DIR=$1
	LAB_CLIENT_UNSEEN=1
	mkdir -p "$CLIENT_DIR"
	lab_repeat lab_bytes_down_crlf 40 "$CLIENT_DIR/upload.bin"
}

lab_usage() {
	echo "$(basename "$(dirname "$0")")/check: $1; usage: check [--log FILE] [--user NAME] [--root DIR] [--client DIR]" >&2
	exit 64
}

lab_options() {
	local root= client=
	while [ $# -gt 0 ]; do
		case $1 in
		--log | --user | --root | --client)
			[ -n "${2:-}" ] || lab_usage "$1 needs a value" ;;
		*) lab_usage "unexpected '$1'" ;;
		esac
		case $1 in
		--log) LAB_LOG=$2 ;;
		--user) LAB_USER=$2 ;;
		--root) root=$2 ;;
		--client) client=$2 ;;
		esac
		shift 2
	done
	[ -n "$client" ] && CLIENT_DIR=$client
	LAB_FROM=$LAB_LOG
	[ -n "$LAB_USER" ] || return 0
	if [ ! -r "$LAB_LOG" ]; then
		echo "$(basename "$0"): --log $LAB_LOG: cannot read it" >&2
		exit 66
	fi
	LAB_TMP=$(mktemp -d "${TMPDIR:-/tmp}/lab-user.XXXXXX") || exit 73
	trap 'rm -rf "$LAB_TMP"' EXIT
	lab_split_users "$LAB_TMP/users" "$LAB_FROM"
	LAB_LOG=$LAB_TMP/users/$LAB_USER
	case $LAB_USER in */*) LAB_LOG=$LAB_TMP/nobody ;; esac
	: >>"$LAB_LOG"	# (made when missing, by bash: no touch started)
	lab_judge_user "$LAB_USER" "$LAB_LOG" "${root:-$(lab_served_root "$LAB_FROM")}"
	# Without the student's folder, the downloads are judged by what the
	# server sent, and the upload by the sample every student has.
	[ -n "$client" ] || lab_unseen_client "$LAB_TMP/client"
}

if [ "${0##*/}" = check ]; then
	lab_options "$@"
	lab_parse	# here, not in the $(...) of a first helper: once
fi
