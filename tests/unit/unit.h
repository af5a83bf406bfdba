/* unit.h - a tiny unit test runner, libc only.
 *
 *	TEST(hostport_seed_227) {
 *		CHECK(hp_parse_227(s, strlen(s), &hp, NULL, why, sizeof why) == 0);
 *		CHECK_STR(hp.host, "192.168.150.90");
 *	}
 *
 * Every TEST registers itself before main() runs; the runner prints one TAP
 * line per test ("ok 3 - name") and the first failed check of each test.
 */
#ifndef RAWFTP_UNIT_H
#define RAWFTP_UNIT_H

#include <stdio.h>
#include <string.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
	struct unit_test *next;
};

void unit_register(struct unit_test *t);
void unit_fail(const char *file, int line, const char *what);
void unit_fail_str(const char *file, int line, const char *expr,
    const char *got, const char *want);

#define TEST(name) \
	static void test_##name(void); \
	static struct unit_test unit_##name = { #name, test_##name, NULL }; \
	__attribute__((constructor)) static void register_##name(void) \
	{ unit_register(&unit_##name); } \
	static void test_##name(void)

#define CHECK(cond) do { if (!(cond)) \
	unit_fail(__FILE__, __LINE__, #cond); } while (0)

#define CHECK_STR(got, want) do { const char *g_ = (got), *w_ = (want); \
	if (strcmp(g_, w_) != 0) \
		unit_fail_str(__FILE__, __LINE__, #got, g_, w_); } while (0)

#endif
