/* replycodes.h - what each FTP reply code means, in one table.
 *
 * Every reply starts with three digits (RFC 959 section 4.2): the first
 * says how the command went (1 preliminary, 2 done, 3 send more, 4 failed
 * for now, 5 failed for good, 6 protected reply of RFC 2228), the second
 * what it is about.  The table gives each code its short meaning, as the
 * RFC that defines it words it, and one line for a student.  ftp-raw
 * --explain reads it, and docs/reply-codes.md is generated from it
 * (tests/helpers/gen-reply-codes.c).
 */
#ifndef RAWFTP_REPLYCODES_H
#define RAWFTP_REPLYCODES_H

#include <stddef.h>

struct reply_code_info {
	int code;
	const char *meaning;	/* short, as in the RFC */
	const char *explain;	/* one line for a student */
	const char *rfc;	/* where it is defined */
};

/* The entry for code, or NULL if the table does not know it. */
const struct reply_code_info *replycode_find(int code);

/* What the first digit alone says ("permanent failure: ..."), for codes
 * the table does not know; NULL if the digit is not 1 to 6. */
const char *replycode_class_meaning(int code);

/* The whole table, in code order; *count gets its length. */
const struct reply_code_info *replycode_table(size_t *count);

#endif
