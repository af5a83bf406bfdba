/* gen-reply-codes - writes docs/reply-codes.md from the reply-code table:
 *	build/tests/gen-reply-codes > docs/reply-codes.md
 * tests/raw-docs.bats fails when the committed page is out of date. */
#include <stdio.h>

#include "replycodes.h"

int
main(void)
{
	return replycode_write_markdown(stdout) == 0 ? 0 : 74;
}
