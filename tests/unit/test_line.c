/* test_line.c - where a protocol line ends. */
#include "line.h"
#include "unit.h"

TEST(line_chomp_endings)
{
	CHECK(line_chomp("ab\r\n", 4) == 2);
	CHECK(line_chomp("ab\n", 3) == 2);
	CHECK(line_chomp("ab\r", 3) == 2);
	CHECK(line_chomp("ab", 2) == 2);
	CHECK(line_chomp("\n", 1) == 0);
	CHECK(line_chomp("", 0) == 0);
	CHECK(line_chomp("a\n\r", 3) == 2);	/* only the last ending */
}
