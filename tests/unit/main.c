/* main.c - runs every registered unit test and prints TAP. */
#include <stdlib.h>

#include "unit.h"

static struct unit_test *first, **last = &first;
static int current_failed;

void
unit_register(struct unit_test *t)
{
	*last = t;	/* keep file order: constructors run top to bottom */
	last = &t->next;
}

void
unit_fail(const char *file, int line, const char *what)
{
	printf("#   %s:%d: check failed: %s\n", file, line, what);
	current_failed++;
}

void
unit_fail_str(const char *file, int line, const char *expr, const char *got,
    const char *want)
{
	printf("#   %s:%d: %s is \"%s\", expected \"%s\"\n", file, line, expr,
	    got, want);
	current_failed++;
}

int
main(int argc, char **argv)
{
	struct unit_test *t;
	int n = 0, failed = 0;

	for (t = first; t != NULL; t = t->next)
		n++;
	printf("1..%d\n", n);
	n = 0;
	for (t = first; t != NULL; t = t->next) {
		if (argc > 1 && strstr(t->name, argv[1]) == NULL)
			continue;
		current_failed = 0;
		t->fn();
		printf("%sok %d - unit: %s\n", current_failed ? "not " : "",
		    ++n, t->name);
		fflush(stdout);
		failed += current_failed > 0;
	}
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
