/* test_linebuf.c - the bounded line reader, fed through a pipe. */
#include <unistd.h>

#include "linebuf.h"
#include "unit.h"

static struct linebuf lb;
static int fds[2] = { -1, -1 };

/* A linebuf reading bytes that are all written and the pipe closed. */
static void
feed(const char *bytes, size_t len, size_t cap)
{
	if (fds[0] >= 0)
		close(fds[0]);
	CHECK(pipe(fds) == 0);
	CHECK(write(fds[1], bytes, len) == (ssize_t)len);
	close(fds[1]);
	lb_init(&lb, fds[0], cap);
}

static const char *line;
static size_t len;
static int partial;

static enum lb_status
next(void)
{
	return lb_getline(&lb, 1000, &line, &len, &partial);
}

TEST(linebuf_crlf_and_lf_lines)
{
	feed("220 a\r\n221 b\nc", 14, 0);
	CHECK(next() == LB_LINE && len == 7 && !partial);
	CHECK(memcmp(line, "220 a\r\n", 7) == 0);
	CHECK(next() == LB_LINE && len == 6 && memcmp(line, "221 b\n", 6) == 0);
	CHECK(next() == LB_LINE && len == 1 && line[0] == 'c' && !partial);
	CHECK(next() == LB_EOF);
}

TEST(linebuf_long_line_comes_in_pieces)
{
	char big[100];

	memset(big, 'x', sizeof big);
	big[98] = '\r';
	big[99] = '\n';
	feed(big, sizeof big, 40);
	CHECK(next() == LB_LINE && len == 40 && partial);
	CHECK(next() == LB_LINE && len == 40 && partial);
	CHECK(next() == LB_LINE && len == 20 && !partial);
	CHECK(line[19] == '\n');
	CHECK(next() == LB_EOF);
}

TEST(linebuf_piece_never_splits_crlf)
{
	char s[12] = "abcdefghi\r\n";

	feed(s, 11, 10);
	CHECK(next() == LB_LINE && len == 9 && partial);
	CHECK(next() == LB_LINE && len == 2 && !partial);
	CHECK(memcmp(line, "\r\n", 2) == 0);
}

TEST(linebuf_line_longer_than_buffer)
{
	static char huge[3 * LB_SIZE];
	size_t total = 0;

	memset(huge, 'y', sizeof huge);
	huge[sizeof huge - 1] = '\n';
	/* through a pipe of 64 KB: fits */
	feed(huge, sizeof huge, 0);
	while (next() == LB_LINE) {
		CHECK(len <= LB_SIZE);
		total += len;
		if (!partial)
			CHECK(line[len - 1] == '\n');
	}
	CHECK(total == sizeof huge);
}

TEST(linebuf_nul_bytes_kept)
{
	feed("a\0b\n", 4, 0);
	CHECK(next() == LB_LINE && len == 4);
	CHECK(line[1] == '\0' && line[2] == 'b');
}

TEST(linebuf_empty_input_is_eof)
{
	feed("", 0, 0);
	CHECK(next() == LB_EOF);
	CHECK(lb_pending(&lb) == 0);
}

static size_t
upcase(void *ctx, char *buf, size_t n)
{
	size_t i, o = 0;

	(void)ctx;
	for (i = 0; i < n; i++)
		if (buf[i] != '#')	/* drop every '#' */
			buf[o++] = buf[i] >= 'a' && buf[i] <= 'z' ?
			    (char)(buf[i] - 32) : buf[i];
	return o;
}

TEST(linebuf_filter_rewrites_bytes)
{
	feed("a#b\n###\nc\n", 10, 0);
	lb.filter = upcase;
	CHECK(next() == LB_LINE && len == 3 && memcmp(line, "AB\n", 3) == 0);
	CHECK(next() == LB_LINE && len == 1 && line[0] == '\n');
	CHECK(next() == LB_LINE && len == 2 && line[0] == 'C');
	CHECK(next() == LB_EOF);
}

TEST(linebuf_timeout_on_silence)
{
	int p[2];
	struct linebuf quiet;

	CHECK(pipe(p) == 0);
	lb_init(&quiet, p[0], 0);
	CHECK(write(p[1], "no end", 6) == 6);
	CHECK(lb_getline(&quiet, 10, &line, &len, &partial) == LB_TIMEOUT);
	CHECK(lb_pending(&quiet) == 6);
	close(p[0]);
	close(p[1]);
}

TEST(linebuf_next_waits_for_a_whole_line)
{
	feed("half", 4, 0);
	CHECK(lb_fill(&lb) == 4);
	lb.eof = 0;		/* as if more could still come */
	CHECK(lb_next(&lb, &line, &len, &partial) == 0);
	CHECK(lb_pending(&lb) == 4);
}
