/* config.c - the configuration and its defaults.  main() writes it from
 * the options before the first session starts; everything else only
 * reads it.
 */
#include "labd.h"

struct config cfg = {
	.root = ".",
	.listen_addr = "127.0.0.1",
	.port = "2121",
	.idle_timeout = 300,
	.data_timeout = 60,
	.fail_delay_ms = 1000,
	.max_fails = 3,
	.max_sessions = 2000,
	.anonymous = 1,
	.guest = { .name = "anonymous", .perms = PERM_ALL, .log_fd = -1 },
	.log_fd = 2,
};
