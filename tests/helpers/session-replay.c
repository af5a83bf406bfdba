/* session-replay.c - runs tests/fuzz/fuzz_session.c's checks over files
 * (the seed corpus), without libFuzzer, so `make test` checks the one
 * final reply rule with the normal compiler.
 *
 * usage: session-replay FILE...
 * Prints "ok FILE" for each; a broken rule aborts (the bats test sees a
 * signal exit and the file last named).
 */
#include "../fuzz/fuzz_session.c"

int
main(int argc, char **argv)
{
	static uint8_t buf[1 << 16];
	int i;

	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		size_t n;

		if (f == NULL) {
			perror(argv[i]);
			return 66;
		}
		n = fread(buf, 1, sizeof buf, f);
		fclose(f);
		printf("checking %s\n", argv[i]);
		fflush(stdout);
		LLVMFuzzerTestOneInput(buf, n);
		printf("ok %s\n", argv[i]);
	}
	return 0;
}
