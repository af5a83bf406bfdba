/* test_events.c - the web view's memory: narration events kept per
 * session as narrate made them, the summary row, the bounded ring. */
#include <stdio.h>
#include <string.h>

#include "events.h"
#include "fixtures.h"
#include "narrate.h"
#include "unit.h"

static char seen[16][NARRATE_MAX * 2];
static int nseen;

/* Each event as "kind|text|wire|hex". */
static int
collect(void *ctx, const struct events_event *ev)
{
	(void)ctx;
	if (nseen < 16)
		snprintf(seen[nseen++], sizeof seen[0], "%s|%s|%s|%s",
		    events_kind_name(ev->kind), ev->text,
		    ev->wire ? ev->wire : "-", ev->hex ? ev->hex : "-");
	return 0;
}

static long
read_all(unsigned id, uint64_t after)
{
	nseen = 0;
	return events_read(id, after, collect, NULL);
}

/* Quiet narration (fd -1), as with -q: the observer still sees all. */
static void
start(int flags)
{
	narrate_start(-1, flags);
	events_start(NULL);
}

TEST(events_a_session_as_narrated)
{
	struct hostport peer = fixture_hostport("127.0.0.1", 40000);
	struct hostport local = fixture_hostport("127.0.0.1", 2121);
	struct hostport pasv = fixture_hostport("127.0.0.1", 55573);
	struct events_row row;

	start(NARRATE_MASK);
	narrate_connect(101, &peer, &local);
	narrate_command(101, "USER <b>ann\r\n", 13);
	narrate_command(101, "PASS secret\r\n", 13);
	narrate_reply(101, "230 ok\r\n", 8);
	narrate_data_listen(101, "PASV", &pasv);
	narrate_data_close(101, "sent", 42);
	narrate_close(101);
	narrate_observe(NULL);

	CHECK(read_all(101, 0) == 0);
	CHECK(nseen == 7);
	CHECK_STR(seen[0], "connect|connect from 127.0.0.1 port 40000 to "
	    "127.0.0.1 port 2121|-|-");
	CHECK_STR(seen[1], "command|> USER <b>ann|USER <b>ann\\r\\n|"
	    "55 53 45 52 20 3c 62 3e 61 6e 6e 0d 0a");
	CHECK_STR(seen[2], "command|> PASS XXXX|PASS XXXX\\r\\n|-");
	CHECK_STR(seen[3], "reply|< 230 ok|230 ok\\r\\n|32 33 30 20 6f 6b "
	    "0d 0a");
	CHECK_STR(seen[4], "data|data: PASV listening on 127.0.0.1:55573 = "
	    "217*256+21|-|-");
	CHECK(read_all(101, 5) == 0 && nseen == 2);
	CHECK(read_all(999, 0) == -1);

	CHECK(events_row(101, &row) == 0);
	CHECK_STR(row.user, "<b>ann");
	CHECK_STR(row.client, "127.0.0.1:40000");
	CHECK_STR(row.state, "closed");
	CHECK_STR(row.command, "PASS XXXX");
	CHECK_STR(row.reply, "230 ok");
	CHECK_STR(row.data, "PASV listening on 127.0.0.1:55573 = 217*256+21");
	CHECK(row.bytes_out == 42 && row.finished && row.errors == 0);
}

TEST(events_shown_passwords_have_their_hex)
{
	start(NARRATE_MASK | NARRATE_SHOW_PASSWORDS);
	narrate_command(102, "PASS secret\n", 12);
	narrate_observe(NULL);
	CHECK(read_all(102, 0) == 0 && nseen == 1);
	CHECK_STR(seen[0], "command|> PASS secret|PASS secret\\n|"
	    "50 41 53 53 20 73 65 63 72 65 74 0a");
}

static char last_hex[NARRATE_MAX * 2];

static int
collect_hex(void *ctx, const struct events_event *ev)
{
	(void)ctx;
	snprintf(last_hex, sizeof last_hex, "%s", ev->hex ? ev->hex : "-");
	return 0;
}

TEST(events_hex_of_a_long_line_is_cut_with_dots)
{
	char line[400];
	size_t n;

	memset(line, 'A', sizeof line - 1);
	line[sizeof line - 1] = '\n';
	start(NARRATE_MASK);
	narrate_command(104, line, sizeof line);
	narrate_observe(NULL);
	CHECK(events_read(104, 0, collect_hex, NULL) == 0);
	n = strlen(last_hex);
	CHECK(strncmp(last_hex, "41 41 41 ", 9) == 0);
	CHECK(n < NARRATE_MAX && n > NARRATE_MAX - 16);
	CHECK(n >= 6 && strcmp(last_hex + n - 6, "41 ...") == 0);
}

TEST(events_ring_is_bounded_and_says_what_was_lost)
{
	struct events_row row;
	int i;

	start(NARRATE_MASK);
	for (i = 0; i < EVENTS_RING + 10; i++)
		narrate_printf(103, "note %d", i);
	narrate_observe(NULL);
	CHECK(events_row(103, &row) == 0);
	CHECK(row.first == 11 && row.last == EVENTS_RING + 10);
	CHECK(read_all(103, 3) == 7);	/* 4..10 are gone */
	CHECK_STR(seen[0], "note|note 10|-|-");
	CHECK(read_all(103, row.last - 1) == 0 && nseen == 1);
}

/* Rows of the sessions changed since a version, in order of id. */
static char ids[64];

static void
row_ids(void *ctx, const struct events_row *row)
{
	(void)ctx;
	snprintf(ids + strlen(ids), sizeof ids - strlen(ids), "%u,", row->id);
}

TEST(events_rows_changed_since)
{
	uint64_t v;

	start(NARRATE_MASK);
	narrate_printf(105, "x");
	narrate_printf(104, "x");
	narrate_observe(NULL);
	ids[0] = '\0';
	v = events_rows(0, row_ids, NULL);
	CHECK(strstr(ids, "104,105,") != NULL);
	CHECK(v == events_version());
	start(NARRATE_MASK);
	narrate_printf(104, "y");
	narrate_observe(NULL);
	ids[0] = '\0';
	events_rows(v, row_ids, NULL);
	CHECK_STR(ids, "104,");
}

/* More changed rows than events_rows copies at once (it calls back
 * outside its lock, a batch at a time): each once, in order of id. */
static char many[512];

static void
many_ids(void *ctx, const struct events_row *row)
{
	(void)ctx;
	snprintf(many + strlen(many), sizeof many - strlen(many), "%u,",
	    row->id);
}

TEST(events_rows_more_than_a_batch_each_once_in_order)
{
	char want[512] = "";
	uint64_t v;
	unsigned id;

	start(NARRATE_MASK);
	v = events_version();
	for (id = 339; id >= 300; id--)	/* changed last to first */
		narrate_printf(id, "x");
	narrate_observe(NULL);
	for (id = 300; id <= 339; id++)
		snprintf(want + strlen(want), sizeof want - strlen(want),
		    "%u,", id);
	many[0] = '\0';
	CHECK(events_rows(v, many_ids, NULL) == events_version());
	CHECK_STR(many, want);
}
