# layers.awk - who uses whom among the .c files of one program, read from
# the sources: prints "USER DEFINER NAME" for each external function or
# variable that one file defines and another names.  Comments, strings,
# character constants and preprocessor lines are left out first, and a
# member name (after "." or "->") is not a use.
#
# usage: awk -f layers.awk tools/PROGRAM/*.c
# (tests/lib/layer-check makes the circle check of it.)

function file_of(path,    n, parts) {
	n = split(path, parts, "/")
	sub(/\.c$/, "", parts[n])
	return parts[n]
}

# The text of the current file without comments, strings, character
# constants and preprocessor lines, one line at a time: state carries a
# comment over the end of a line.
function strip(line,    out, i, c, d, n) {
	out = ""
	n = length(line)
	if (!in_comment && line ~ /^[ \t]*#/)
		return ""
	for (i = 1; i <= n; i++) {
		c = substr(line, i, 1)
		d = substr(line, i, 2)
		if (in_comment) {
			if (d == "*/") {
				in_comment = 0
				i++
			}
			continue
		}
		if (d == "/*") {
			in_comment = 1
			i++
			out = out " "
			continue
		}
		if (d == "//")
			break
		if (c == "\"" || c == "'") {
			for (i++; i <= n && substr(line, i, 1) != c; i++)
				if (substr(line, i, 1) == "\\")
					i++
			out = out " 0 "
			continue
		}
		out = out c
	}
	return out
}

# Splits text into tokens: identifiers, numbers and single punctuation
# marks ("->" as one); appends them to tok[], of file f.
function tokenize(text, f,    t) {
	while (text != "") {
		if (match(text, /^[ \t\r\n]+/)) {
			text = substr(text, RLENGTH + 1)
			continue
		}
		if (match(text, /^[A-Za-z_][A-Za-z0-9_]*/) ||
		    match(text, /^[0-9][A-Za-z0-9_.]*/) || match(text, /^->/))
			t = substr(text, 1, RLENGTH)
		else
			t = substr(text, 1, 1)
		text = substr(text, length(t) + 1)
		ntok++
		tok[ntok] = t
		tokfile[ntok] = f
	}
}

function is_ident(t) {
	return t ~ /^[A-Za-z_][A-Za-z0-9_]*$/ && !(t in keyword)
}

# A file-scope statement (declaration) ended: stmt[1..nst] are its tokens
# outside braces ("{}" for a brace part), fn_body says whether that part
# was a function's body.  Records the name it declares: for other files
# when it is a definition of an external name, as the file's own when it
# is static (a use of it in that file is of its own, not another's).
function file_scope(f, fn_body,    i, name, first) {
	first = stmt[1]
	if (first == "extern" || first == "typedef")
		return
	name = ""
	for (i = 1; i <= nst; i++) {
		if (stmt[i] == "(" && name != "")
			break		# a function's name
		if (stmt[i] == "=" || stmt[i] == "[" || stmt[i] == ";" ||
		    stmt[i] == ",")
			break
		if (is_ident(stmt[i]) && stmt[i - 1] != "struct" &&
		    stmt[i - 1] != "union" && stmt[i - 1] != "enum")
			name = stmt[i]
		if (stmt[i] == "{}")
			name = ""	# a type's body: its name is no object
	}
	if (name == "")
		return
	if (first == "static")
		own[f, name] = 1
	else if (fn_body || stmt[i] != "(")	# not a prototype
		definer[name] = f
}

FNR == 1 {
	in_comment = 0
	files[file_of(FILENAME)] = 1
}

{
	tokenize(strip($0), file_of(FILENAME))
}

END {
	split("auto break case char const continue default do double else " \
	    "enum extern float for goto if inline int long register " \
	    "restrict return short signed sizeof static struct switch " \
	    "typedef union unsigned void volatile while _Bool size_t " \
	    "ssize_t uint64_t int64_t __attribute__ format printf", kw, " ")
	for (i in kw)
		keyword[kw[i]] = 1
	# pass 1: what each file defines at file scope
	depth = 0
	nst = 0
	for (i = 1; i <= ntok; i++) {
		t = tok[i]
		f = tokfile[i]
		if (i > 1 && tokfile[i - 1] != f) {
			depth = 0
			nst = 0
		}
		if (t == "{") {
			if (depth == 0) {
				fn_body = 0
				for (k = 1; k <= nst; k++)
					if (stmt[k] == "(")
						fn_body = 1
				for (k = 1; k <= nst; k++)
					if (stmt[k] == "=")
						fn_body = 0
				stmt[++nst] = "{}"
			}
			depth++
			continue
		}
		if (t == "}") {
			depth--
			if (depth == 0 && fn_body) {
				file_scope(f, 1)
				nst = 0
				fn_body = 0
			}
			continue
		}
		if (depth > 0)
			continue
		stmt[++nst] = t
		if (t == ";") {
			file_scope(f, 0)
			nst = 0
		}
	}
	# pass 2: every name another file defines, where it is used
	for (i = 1; i <= ntok; i++) {
		t = tok[i]
		if (!(t in definer) || definer[t] == tokfile[i] ||
		    ((tokfile[i], t) in own))
			continue
		if (i > 1 && (tok[i - 1] == "." || tok[i - 1] == "->"))
			continue
		edge = tokfile[i] " " definer[t] " " t
		if (!(edge in seen)) {
			seen[edge] = 1
			print edge
		}
	}
	for (f in files)
		print f " " f " -"	# every file a node, used or not
}
