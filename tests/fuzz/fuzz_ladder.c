/* fuzz_ladder.c - the ladder (common/ladder.c) drawing arbitrary text:
 * commands, replies, notes and data lanes in any order, for a few
 * sessions.  Every row must be one line of at most LADDER_WIDTH columns,
 * with no control byte in it.
 *
 * Input: records of one opcode byte, one session byte, then text up to
 * a NUL. */
#include <stdint.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ladder.h"

static void
draw(uint8_t op, unsigned id, const char *text)
{
	struct hostport c = { .family = AF_INET, .host = "127.0.0.1",
	    .port = 40000 };
	struct hostport s = { .family = AF_INET, .host = "127.0.0.1",
	    .port = 2121 };

	switch (op % 9) {
	case 0: ladder_session(id, &c, &s); break;
	case 1: ladder_session_end(id, text); break;
	case 2: ladder_arrow(id, op / 9 % 3, op / 27 % 3, op / 81 % 6, text);
		break;
	case 3: ladder_data_open(id, text, op * 257u, text); break;
	case 4: ladder_data_connect(id, &c, op & 16 ? &s : NULL, text); break;
	case 5: ladder_data_close(id, op / 9 % 3, op / 27 % 3, text); break;
	case 6: ladder_note(id, text); break;
	case 7: ladder_summary(); break;
	default: ladder_note(0, text); break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = tmpfile();
	char text[1024], *row = NULL;
	size_t cap = 0, i = 0, n;
	ssize_t len;

	if (f == NULL)
		return 0;
	ladder_start(fileno(f), 0);
	while (i + 2 <= size) {
		uint8_t op = data[i], id = data[i + 1] % 4;

		i += 2;
		for (n = 0; i < size && data[i] != 0 && n < sizeof text - 1;)
			text[n++] = (char)data[i++];
		text[n] = '\0';
		i++;
		draw(op, id, text);
	}
	ladder_start(-1, 0);
	rewind(f);
	while ((len = getline(&row, &cap, f)) > 0) {
		if (row[len - 1] == '\n')
			len--;
		if (len > LADDER_WIDTH)
			abort();
		for (n = 0; n < (size_t)len; n++)
			if ((unsigned char)row[n] < 0x20 || row[n] == 0x7f)
				abort();
	}
	free(row);
	fclose(f);
	return 0;
}
