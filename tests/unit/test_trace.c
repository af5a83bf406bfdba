/* test_trace.c - masked commands, timestamps, the NO_COLOR rule. */
#include <stdlib.h>
#include <unistd.h>

#include "trace.h"
#include "unit.h"

static char out[256];

static const char *
mask(const char *cmd)
{
	trace_mask(cmd, strlen(cmd), out, sizeof out);
	return out;
}

TEST(trace_mask_pass_and_acct)
{
	CHECK_STR(mask("PASS anonymous@example.com\r\n"), "PASS XXXX");
	CHECK_STR(mask("pass secret"), "pass XXXX");
	CHECK_STR(mask("Acct money\n"), "Acct XXXX");
	CHECK_STR(mask("PASS"), "PASS");	/* no argument: nothing to hide */
}

/* However the verb was typed: the server logs in with a Telnet command
 * inside it, and refuses the others with 500, a password all the same. */
TEST(trace_mask_pass_however_typed)
{
	CHECK_STR(mask("PA\xff\xf1SS secret\r\n"), "PA\\xff\\xf1SS XXXX");
	CHECK_STR(mask("PASS\tsecret\r\n"), "PASS\\x09XXXX");
	CHECK_STR(mask(" PASS secret"), " PASS XXXX");
	CHECK_STR(mask("\t pass secret"), "\\x09 pass XXXX");
	CHECK_STR(mask("PASS:secret"), "PASSXXXX");
	CHECK_STR(mask("PASS "), "PASS XXXX");
	CHECK_STR(mask("PASS \n\x02"), "PASS XXXX");	/* an LF inside */
}

/* An LF inside a Telnet command does not end the line, for the server
 * nor for the mask. */
TEST(trace_secret_follows_telnet_across_bytes)
{
	const char *typed = "PASS se\xff\xfb\ncret\r\nNOOP\r\n";
	struct trace_secret ts;
	char secret[32];
	size_t i, o = 0;

	trace_secret_init(&ts);
	for (i = 0; typed[i] != '\0'; i++)
		if (trace_secret_byte(&ts, (unsigned char)typed[i]))
			secret[o++] = typed[i];
	secret[o] = '\0';
	CHECK_STR(secret, "se\xff\xfb\ncret\r\n");
}

TEST(trace_mask_leaves_other_commands)
{
	CHECK_STR(mask("USER anonymous\r\n"), "USER anonymous");
	CHECK_STR(mask("PASSIVE x"), "PASSIVE x");
	CHECK_STR(mask("RETR 01test.txt"), "RETR 01test.txt");
}

TEST(trace_mask_shows_control_bytes)
{
	trace_mask("a\tb\xff\0c", 6, out, sizeof out);
	CHECK_STR(out, "a\\x09b\\xff\\x00c");
}

TEST(trace_mask_small_buffer_stays_terminated)
{
	char small[8];

	trace_mask("RETR a-long-file-name", 21, small, sizeof small);
	CHECK(strlen(small) < sizeof small);
	trace_mask("PASS secret", 11, small, sizeof small);
	CHECK(strlen(small) < sizeof small);
	CHECK(strstr(small, "sec") == NULL);
	trace_mask("\x01\x02\x03\x04", 4, small, sizeof small);
	CHECK(strlen(small) < sizeof small);
}

TEST(trace_stamp_format)
{
	char stamp[32];

	trace_start();
	trace_stamp(stamp, sizeof stamp);
	CHECK(strlen(stamp) == 11);
	CHECK(stamp[4] == '.');
	CHECK(strncmp(stamp, "   0.", 5) == 0);
}

TEST(trace_stamp_length_reads_back_a_stamp)
{
	char line[64];

	trace_start();
	trace_stamp(line, sizeof line);
	strcat(line, " 227 x");
	CHECK(trace_stamp_length(line, strlen(line)) == 12);
	CHECK(trace_stamp_length("  12.500000 220 hi", 18) == 12);
	CHECK(trace_stamp_length("220 hi", 6) == 0);
	CHECK(trace_stamp_length("   1.2345 220", 13) == 0);	/* 4 digits */
	CHECK(trace_stamp_length("   1.234567", 11) == 0);	/* no blank */
	CHECK(trace_stamp_length("   .234567 x", 12) == 0);
	CHECK(trace_stamp_length("", 0) == 0);
}

TEST(trace_no_color_when_not_a_tty_or_NO_COLOR)
{
	int fds[2];

	CHECK(pipe(fds) == 0);
	CHECK(!trace_color_wanted(fds[1]));
	setenv("NO_COLOR", "1", 1);
	CHECK(!trace_color_wanted(fds[1]));
	unsetenv("NO_COLOR");
	close(fds[0]);
	close(fds[1]);
}

TEST(trace_wire_shows_the_line_ending)
{
	trace_wire("USER ann\r\n", 10, out, sizeof out, 1);
	CHECK_STR(out, "USER ann\\r\\n");
	trace_wire("PASS secret\n", 12, out, sizeof out, 1);
	CHECK_STR(out, "PASS XXXX\\n");
	trace_wire("PASS secret\r\n", 13, out, sizeof out, 0);
	CHECK_STR(out, "PASS secret\\r\\n");
	trace_wire("NOOP", 4, out, sizeof out, 1);
	CHECK_STR(out, "NOOP");
	trace_wire("a\rb\r\n", 5, out, sizeof out, 0);	/* a CR inside */
	CHECK_STR(out, "a\\x0db\\r\\n");
}

TEST(trace_wire_small_buffer_keeps_the_ending)
{
	char small[12];

	trace_wire("RETR a-long-file-name\r\n", 23, small, sizeof small, 1);
	CHECK(strlen(small) < sizeof small);
	CHECK(strcmp(small + strlen(small) - 4, "\\r\\n") == 0);
	trace_wire("x\r\n", 3, small, 4, 1);	/* too small for more */
	CHECK(strlen(small) < 4);
}

TEST(trace_a_cut_line_says_it_is_cut)
{
	char line[1000], shown[64];

	memset(line, 'A', sizeof line);
	memcpy(line, "CWD ", 4);
	memcpy(line + sizeof line - 2, "\r\n", 2);
	trace_escape(line, sizeof line, shown, sizeof shown);
	CHECK(strlen(shown) < sizeof shown);
	CHECK(strcmp(shown + strlen(shown) - 4, "A...") == 0);
	trace_wire(line, sizeof line, shown, sizeof shown, 1);
	CHECK(strlen(shown) < sizeof shown);
	CHECK(strcmp(shown + strlen(shown) - 8, "A...\\r\\n") == 0);
	trace_escape("CWD AAAA\r\n", 10, shown, sizeof shown);	/* whole */
	CHECK_STR(shown, "CWD AAAA");
}
