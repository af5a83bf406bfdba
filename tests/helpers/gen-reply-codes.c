/* gen-reply-codes - writes docs/reply-codes.md from the reply-code table:
 *	build/tests/gen-reply-codes > docs/reply-codes.md
 * tests/raw-docs.bats fails when the committed page is out of date. */
#include <stdio.h>

#include "replycodes.h"

/* A table cell: '|' would end the cell, so it is written as "\|". */
static void
md_cell(FILE *out, const char *text)
{
	for (; *text != '\0'; text++) {
		if (*text == '|')
			fputc('\\', out);
		fputc(*text, out);
	}
	fputs(" | ", out);
}

static int
write_markdown(FILE *out)
{
	size_t i, n;
	const struct reply_code_info *table = replycode_table(&n);
	int digit;

	fputs("# FTP reply codes\n\n"
	    "<!-- Generated from common/replycodes.c by "
	    "tests/helpers/gen-reply-codes.c;\n"
	    "     do not edit: tests/raw-docs.bats fails when this page and "
	    "the table differ. -->\n\n"
	    "Every reply starts with three digits. The first says how the "
	    "command went:\n\n", out);
	for (digit = 1; digit <= 6; digit++)
		fprintf(out, "- `%dxx` %s\n", digit,
		    replycode_class_meaning(digit * 100));
	fputs("\n`ftp-raw --explain` prints the explanation column after "
	    "each reply.\n\n"
	    "| code | meaning | for a student | defined in |\n"
	    "|---|---|---|---|\n", out);
	for (i = 0; i < n; i++) {
		fprintf(out, "| %d | ", table[i].code);
		md_cell(out, table[i].meaning);
		md_cell(out, table[i].explain);
		fprintf(out, "%s |\n", table[i].rfc);
	}
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

int
main(void)
{
	return write_markdown(stdout) == 0 ? 0 : 74;
}
