/* test_secret.c - a typed secret against the real one. */
#include "secret.h"
#include "unit.h"

TEST(secret_equal_only_when_every_byte_is)
{
	CHECK(secret_equal("s3cret", "s3cret"));
	CHECK(!secret_equal("s3cre", "s3cret"));	/* a prefix */
	CHECK(!secret_equal("s3cretX", "s3cret"));	/* longer */
	CHECK(!secret_equal("s3creT", "s3cret"));
	CHECK(!secret_equal("", "s3cret"));
	CHECK(!secret_equal("x", ""));
	CHECK(secret_equal("", ""));
}
