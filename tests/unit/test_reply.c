/* test_reply.c - where replies end (RFC 959 section 4.2), and the
 * reply-code table. */
#include "reply.h"
#include "replycodes.h"
#include "unit.h"

static struct reply_parser rp;

static enum reply_step
feed(const char *line)
{
	return reply_feed(&rp, line, strlen(line));
}

TEST(reply_code_of_shapes)
{
	CHECK(reply_code_of("220 ready\r\n", 11) == 220);
	CHECK(reply_code_of("214-help\r\n", 10) == 214);
	CHECK(reply_code_of("220\r\n", 5) == 220);	/* code alone */
	CHECK(reply_code_of("220", 3) == 220);
	CHECK(reply_code_of("22 x", 4) == -1);
	CHECK(reply_code_of("2200 x", 6) == -1);
	CHECK(reply_code_of("22a x", 5) == -1);
	CHECK(reply_code_of(" 220 x", 6) == -1);
	CHECK(reply_code_of("", 0) == -1);
	CHECK(reply_code_of("\r\n", 2) == -1);
	CHECK(reply_code_of("099 low", 7) == 99);	/* a code; feed refuses it */
}

TEST(reply_single_line)
{
	reply_init(&rp);
	CHECK(feed("220 profbox FTP server ready.\r\n") == REPLY_DONE);
	CHECK(rp.code == 220);
	CHECK(!rp.in_multiline);
}

TEST(reply_seed_help_is_one_reply)
{
	reply_init(&rp);
	CHECK(feed("214- The following commands are recognized.\r\n") ==
	    REPLY_MORE);
	CHECK(feed("USER      LPRT      MODE\r\n") == REPLY_MORE);
	CHECK(feed("214 Direct comments to ftp-bugs@profbox.\r\n") ==
	    REPLY_DONE);
	CHECK(rp.code == 214);
}

TEST(reply_multiline_needs_same_code_and_space)
{
	reply_init(&rp);
	CHECK(feed("211-Features:\r\n") == REPLY_MORE);
	CHECK(feed(" 211 indented is text\r\n") == REPLY_MORE);
	CHECK(feed("211-still inside\r\n") == REPLY_MORE);
	CHECK(feed("200 another code is text\r\n") == REPLY_MORE);
	CHECK(feed("garbage\r\n") == REPLY_MORE);
	CHECK(feed("211 End\r\n") == REPLY_DONE);
	CHECK(rp.code == 211);
	/* the next reply starts fresh */
	CHECK(feed("221 bye\r\n") == REPLY_DONE);
	CHECK(rp.code == 221);
}

TEST(reply_multiline_ends_on_bare_code)
{
	reply_init(&rp);
	CHECK(feed("230-Welcome\r\n") == REPLY_MORE);
	CHECK(feed("230\r\n") == REPLY_DONE);
}

TEST(reply_lf_only_lines)
{
	reply_init(&rp);
	CHECK(feed("220-a\n") == REPLY_MORE);
	CHECK(feed("220 b\n") == REPLY_DONE);
}

TEST(reply_bad_lines_outside_a_reply)
{
	reply_init(&rp);
	CHECK(feed("hello\r\n") == REPLY_BAD);
	CHECK(feed("22 short\r\n") == REPLY_BAD);
	CHECK(feed("099 below one hundred\r\n") == REPLY_BAD);
	CHECK(feed("\r\n") == REPLY_BAD);
	CHECK(feed("220 then good\r\n") == REPLY_DONE);
}

TEST(reply_line_with_nul_is_measured_by_length)
{
	static const char line[] = "220 a\0b\r\n";

	reply_init(&rp);
	CHECK(reply_feed(&rp, line, sizeof line - 1) == REPLY_DONE);
	CHECK(rp.code == 220);
}

TEST(reply_class_digits)
{
	CHECK(reply_class(150) == 1);
	CHECK(reply_class(226) == 2);
	CHECK(reply_class(331) == 3);
	CHECK(reply_class(421) == 4);
	CHECK(reply_class(550) == 5);
}

TEST(replycodes_table_sorted_and_complete)
{
	static const int rfc959[] = { 110, 120, 125, 150, 200, 202, 211, 212,
	    213, 214, 215, 220, 221, 225, 226, 227, 230, 250, 257, 331, 332,
	    350, 421, 425, 426, 450, 451, 452, 500, 501, 502, 503, 504, 530,
	    532, 550, 551, 552, 553 };
	const struct reply_code_info *t;
	size_t i, n;

	t = replycode_table(&n);
	CHECK(n > 40);
	for (i = 1; i < n; i++)
		CHECK(t[i - 1].code < t[i].code);
	for (i = 0; i < n; i++)
		CHECK(t[i].meaning[0] != '\0' && t[i].explain[0] != '\0' &&
		    strchr(t[i].explain, '|') == NULL);
	for (i = 0; i < sizeof rfc959 / sizeof rfc959[0]; i++)
		CHECK(replycode_find(rfc959[i]) != NULL);
	CHECK(replycode_find(229) != NULL);	/* RFC 2428 */
	CHECK(replycode_find(522) != NULL);
	CHECK(replycode_find(534) != NULL);	/* RFC 2228 */
}

TEST(replycodes_lookup)
{
	CHECK_STR(replycode_find(331)->meaning,
	    "User name okay, need password");
	CHECK(replycode_find(299) == NULL);
	CHECK(replycode_find(0) == NULL);
	CHECK(replycode_find(110)->code == 110);	/* first */
	CHECK(replycode_find(633)->code == 633);	/* last */
	CHECK(replycode_class_meaning(299) != NULL);
	CHECK(strncmp(replycode_class_meaning(550), "permanent", 9) == 0);
	CHECK(replycode_class_meaning(99) == NULL);
	CHECK(replycode_class_meaning(700) == NULL);
}
