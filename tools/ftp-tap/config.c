/* config.c - the configuration and its defaults.  main() writes it from
 * the options before the first session starts; everything else only
 * reads it.
 */
#include "tap.h"

struct config cfg = {
	.listen_addr = "127.0.0.1",
	.port = "2100",
	.server_port = "21",
	.alg = 1,
	.idle_timeout = 300,
	.data_timeout = 60,
	.max_sessions = 500,
	.log_fd = 2,
};
