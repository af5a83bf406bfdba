/* trace.c - timestamps and masking for transcripts; see trace.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "line.h"
#include "trace.h"

static struct timespec zero;

void
trace_start(void)
{
	clock_gettime(CLOCK_MONOTONIC, &zero);
}

/* "%4llu.%06llu" of us's seconds and microseconds, as snprintf would
 * write it; by hand, since every narration line of every session has
 * one (bench/web-bench: a snprintf was 1% of the --web server's CPU). */
static void
stamp_digits(char *buf, size_t len, unsigned long long us)
{
	char d[32];
	size_t i = sizeof d, n;
	unsigned long long sec = us / 1000000, frac = us % 1000000;
	int k;

	for (k = 0; k < 6; k++, frac /= 10)
		d[--i] = (char)('0' + frac % 10);
	d[--i] = '.';
	do
		d[--i] = (char)('0' + sec % 10);
	while ((sec /= 10) > 0);
	while (sizeof d - i < 11)	/* four places for the seconds */
		d[--i] = ' ';
	if (len == 0)
		return;
	n = sizeof d - i < len - 1 ? sizeof d - i : len - 1;
	memcpy(buf, d + i, n);
	buf[n] = '\0';
}

void
trace_stamp(char *buf, size_t len)
{
	struct timespec now;
	long long us;

	clock_gettime(CLOCK_MONOTONIC, &now);
	us = (long long)(now.tv_sec - zero.tv_sec) * 1000000 +
	    (now.tv_nsec - zero.tv_nsec) / 1000;
	stamp_digits(buf, len, us < 0 ? 0 : (unsigned long long)us);
}

static size_t
count_digits(const char *p, size_t len)
{
	size_t n = 0;

	while (n < len && p[n] >= '0' && p[n] <= '9')
		n++;
	return n;
}

/* Blanks, seconds, '.', six digits, one blank. */
size_t
trace_stamp_length(const char *line, size_t len)
{
	size_t i = 0, n;

	while (i < len && line[i] == ' ')
		i++;
	n = count_digits(line + i, len - i);
	if (n == 0 || i + n >= len || line[i + n] != '.')
		return 0;
	i += n + 1;
	n = count_digits(line + i, len - i);
	if (n != 6 || i + n >= len || line[i + n] != ' ')
		return 0;
	return i + n + 1;
}

/* ---- where a password starts ---- */

enum { BEFORE_VERB, IN_VERB, AFTER_VERB, SECRET, NO_SECRET };

void
trace_secret_init(struct trace_secret *ts)
{
	memset(ts, 0, sizeof *ts);
	telnet_init(&ts->tn);
}

static int
is_blank(unsigned char c)
{
	return c <= ' ' || c == 0x7f;
}

static int
is_letter(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The verb's letters so far begin PASS or ACCT. */
static int
may_be_secret_verb(const struct trace_secret *ts)
{
	return strncasecmp(ts->verb, "PASS", ts->verb_len) == 0 ||
	    strncasecmp(ts->verb, "ACCT", ts->verb_len) == 0;
}

/* c, a byte of the line's text (not Telnet), before the secret. */
static int
before_secret(struct trace_secret *ts, unsigned char c)
{
	if (ts->state == BEFORE_VERB && is_blank(c))
		return 0;
	if (ts->state == AFTER_VERB) {	/* PASSIVE, PASS secret, PASS:x */
		ts->state = is_letter(c) ? NO_SECRET : SECRET;
		return ts->state == SECRET && c != ' ' && c != '\t';
	}
	ts->state = IN_VERB;
	ts->verb[ts->verb_len++] = (char)c;
	if (!may_be_secret_verb(ts))
		ts->state = NO_SECRET;
	else if (ts->verb_len == sizeof ts->verb)
		ts->state = AFTER_VERB;
	return 0;
}

int
trace_secret_byte(struct trace_secret *ts, unsigned char c)
{
	int secret = ts->state == SECRET;

	/* Telnet first, as the server reads: an LF inside a command does
	 * not end the line */
	if (telnet_filter(&ts->tn, &c, 1) == 0)
		return secret;	/* a Telnet command: not the line's text */
	ts->tn.reply_len = 0;	/* its refusals are the server's to send */
	if (c == '\n') {	/* a new line starts after it */
		ts->state = BEFORE_VERB;
		ts->verb_len = 0;
		return secret;
	}
	if (ts->state == SECRET || ts->state == NO_SECRET)
		return secret;
	return before_secret(ts, c);
}

/* Where the secret of line[0..len) starts: *at, and 1; or 0 if none.
 * "PASS " has one, empty. */
static int
find_secret(const char *line, size_t len, size_t *at)
{
	struct trace_secret ts;
	size_t i;

	trace_secret_init(&ts);
	*at = len;
	for (i = 0; i < len; i++)
		if (trace_secret_byte(&ts, (unsigned char)line[i])) {
			*at = i;
			return 1;
		}
	return ts.state == SECRET;	/* "PASS ": a secret, empty */
}

/* trace_printable, and *used: how many bytes of text it took. */
static size_t
printable_part(const char *text, size_t len, char *buf, size_t buflen,
    size_t *used)
{
	size_t i, o = 0;

	*used = 0;
	if (buflen == 0)
		return 0;
	for (i = 0; i < len && o + 5 < buflen; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c >= 0x20 && c < 0x7f)
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, buflen - o, "\\x%02x", c);
	}
	buf[o] = '\0';
	*used = i;
	return o;
}

size_t
trace_printable(const char *text, size_t len, char *buf, size_t buflen)
{
	size_t used;

	return printable_part(text, len, buf, buflen, &used);
}

/* The shown form of cmd: printable, ending dropped, PASS masked if mask. */
static void
show(const char *cmd, size_t len, char *buf, size_t buflen, int mask)
{
	size_t o, used, at;

	if (buflen == 0)
		return;
	len = line_chomp(cmd, len);
	if (mask && find_secret(cmd, len, &at)) {
		o = trace_printable(cmd, at, buf, buflen);
		snprintf(buf + o, buflen - o, "XXXX");
		return;
	}
	o = printable_part(cmd, len, buf, buflen, &used);
	if (used < len && buflen > 3) {	/* cut: and say so */
		o = printable_part(cmd, len, buf, buflen - 3, &used);
		memcpy(buf + o, "...", 4);
	}
}

void
trace_mask(const char *cmd, size_t len, char *buf, size_t buflen)
{
	show(cmd, len, buf, buflen, 1);
}

void
trace_escape(const char *cmd, size_t len, char *buf, size_t buflen)
{
	show(cmd, len, buf, buflen, 0);
}

void
trace_wire(const char *cmd, size_t len, char *buf, size_t buflen, int mask)
{
	size_t body = line_chomp(cmd, len), o, i;

	if (buflen < 5) {
		show(cmd, len, buf, buflen, mask);
		return;
	}
	show(cmd, len, buf, buflen - 4, mask);	/* room for the ending */
	o = strlen(buf);
	for (i = body; i < len; i++) {
		buf[o++] = '\\';
		buf[o++] = cmd[i] == '\r' ? 'r' : 'n';
	}
	buf[o] = '\0';
}

int
trace_color_wanted(int fd)
{
	const char *no_color = getenv("NO_COLOR");

	return isatty(fd) && (no_color == NULL || *no_color == '\0');
}
