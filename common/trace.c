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

void
trace_stamp(char *buf, size_t len)
{
	struct timespec now;
	long long us;

	clock_gettime(CLOCK_MONOTONIC, &now);
	us = (long long)(now.tv_sec - zero.tv_sec) * 1000000 +
	    (now.tv_nsec - zero.tv_nsec) / 1000;
	snprintf(buf, len, "%4lld.%06lld", us / 1000000, us % 1000000);
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

static int
is_secret_verb(const char *cmd, size_t len)
{
	return len >= 4 && (strncasecmp(cmd, "PASS", 4) == 0 ||
	    strncasecmp(cmd, "ACCT", 4) == 0) && (len == 4 || cmd[4] == ' ');
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
	size_t o, used;

	if (buflen == 0)
		return;
	len = line_chomp(cmd, len);
	if (mask && is_secret_verb(cmd, len) && len > 5)
		len = 5;	/* keep "PASS ", the mask follows */
	o = printable_part(cmd, len, buf, buflen, &used);
	if (used < len && buflen > 3) {	/* cut: and say so */
		o = printable_part(cmd, len, buf, buflen - 3, &used);
		memcpy(buf + o, "...", 4);
	} else if (mask && is_secret_verb(cmd, len) && len == 5) {
		snprintf(buf + o, buflen - o, "XXXX");
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
