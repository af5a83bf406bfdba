# rawftp - one plain Makefile.  `make`, `make test`, `make install`.
#
# Programs: tools/NAME.c is one program; a folder tools/NAME/ is one program
# made of its .c files.  common/ is built once into a static library.

VERSION = 0.1.0
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

CC ?= cc
CFLAGS ?= -O2 -g
WARNINGS = -Wall -Wextra -Wshadow -Wpointer-arith -Wwrite-strings \
	-Wformat=2 -Wno-format-nonliteral
STD = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
ALL_CFLAGS = $(STD) $(WARNINGS) -Icommon -DRAWFTP_VERSION='"$(VERSION)"' \
	$(CFLAGS)
LDFLAGS ?=
LDLIBS ?=
# A folder program may add its own libraries: ftp-labd and ftp-tap run one
# thread per session, the others none.
LDLIBS_ftp-labd = -pthread
LDLIBS_ftp-tap = -pthread

O ?= build
BIN ?= bin

COMMON_SRC = $(wildcard common/*.c)
COMMON_OBJ = $(COMMON_SRC:%.c=$(O)/%.o)
LIB = $(O)/librawftp.a

# The web view's pages (common/web/*) built into the programs: each file
# a byte array in one generated C file, with od(1) and sed(1) alone.
WEB_FILES = $(sort $(wildcard common/web/*.html common/web/*.js \
	common/web/*.css))
WEB_GEN = $(O)/gen/webfiles.c

FILE_TOOLS = $(patsubst tools/%.c,%,$(wildcard tools/*.c))
DIR_TOOLS = $(patsubst tools/%/,%,$(wildcard tools/*/))
PROGS = $(FILE_TOOLS:%=$(BIN)/%) $(DIR_TOOLS:%=$(BIN)/%)

UNIT_SRC = $(wildcard tests/unit/*.c)
UNIT_BIN = $(O)/unit-tests

# Small programs the tests use (a fake server for hostile replies...):
# tests/helpers/NAME.c -> $(O)/tests/NAME
HELPERS = $(patsubst tests/helpers/%.c,$(O)/tests/%,$(wildcard tests/helpers/*.c))

all: $(PROGS)

$(O)/%.o: %.c $(wildcard common/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(WEB_GEN): $(WEB_FILES) Makefile
	@mkdir -p $(@D)
	{ echo '/* made by the Makefile from common/web/: do not edit */'; \
	  echo '#include "web.h"'; i=0; \
	  for f in $(WEB_FILES); do \
		echo "static const unsigned char f$$i[] = {"; \
		od -An -v -tx1 "$$f" | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
		echo '};'; i=$$((i + 1)); \
	  done; \
	  echo 'const struct web_file web_files[] = {'; i=0; \
	  for f in $(WEB_FILES); do \
		echo "	{ \"$${f##*/}\", f$$i, sizeof f$$i },"; i=$$((i + 1)); \
	  done; \
	  echo '	{ 0, 0, 0 }'; echo '};'; } >$@.tmp && mv $@.tmp $@

$(O)/gen/webfiles.o: $(WEB_GEN) common/web.h
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(COMMON_OBJ) $(O)/gen/webfiles.o
	rm -f $@
	$(AR) rcs $@ $(COMMON_OBJ) $(O)/gen/webfiles.o

$(FILE_TOOLS:%=$(BIN)/%): $(BIN)/%: $(O)/tools/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

define dir_tool
$(BIN)/$(1): $(patsubst %.c,$(O)/%.o,$(wildcard tools/$(1)/*.c)) $(LIB)
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_CFLAGS) $$(LDFLAGS) -o $$@ $$(filter %.o,$$^) $(LIB) \
		$$(LDLIBS) $$(LDLIBS_$(1))
$(O)/tools/$(1)/%.o: tools/$(1)/%.c $(wildcard tools/$(1)/*.h) $(wildcard common/*.h)
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_CFLAGS) -Itools/$(1) -c $$< -o $$@
endef
$(foreach t,$(DIR_TOOLS),$(eval $(call dir_tool,$(t))))

$(HELPERS): $(O)/tests/%: $(O)/tests/helpers/%.o $(LIB)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB) $(LDLIBS)

# ftp-labd's parts but main(), session.c (which the fuzz target that
# drives a session includes itself) and registry.c (the target has its
# own server_stopping and session_end), for that target and its replay.
LABD_PARTS = $(filter-out tools/ftp-labd/main.c tools/ftp-labd/session.c \
	tools/ftp-labd/registry.c, \
	$(wildcard tools/ftp-labd/*.c))
$(O)/tests/session-replay: $(LABD_PARTS:%.c=$(O)/%.o)
$(O)/tests/helpers/session-replay.o: tests/fuzz/fuzz_session.c \
	$(wildcard tools/ftp-labd/*.c tools/ftp-labd/*.h)

# -pthread: test_serve starts a session thread.
$(UNIT_BIN): $(UNIT_SRC:%.c=$(O)/%.o) $(LIB)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB) $(LDLIBS) \
		-pthread

# The README's test command.  RAWFTP_BIN tells the bats tests which build
# to run; TESTS narrows the bats files (make test TESTS=tests/pasv-calc.bats),
# JOBS sets how many run at once (tests/run's --jobs), TEST_TIMES=1 ends
# with the ten slowest, FILTER=REGEX runs only the tests so named,
# SKIP_TAG=TAG leaves out the files tagged TAG.
TESTS ?= tests
# the recipe reads FILTER from its environment: a name with a quote in it
# ("the server's side") would end a quoted copy in the command line
export FILTER
test: all $(UNIT_BIN) $(HELPERS)
	RAWFTP_BIN=$(abspath $(BIN)) RAWFTP_UNIT=$(abspath $(UNIT_BIN)) \
		RAWFTP_OBJ=$(abspath $(O)) RAWFTP_TESTBIN=$(abspath $(O)/tests) tests/run \
		$(if $(JOBS),--jobs $(JOBS)) $(if $(TEST_TIMES),--times) \
		$(if $(FILTER),--filter "$$FILTER") \
		$(if $(SKIP_TAG),--skip-tag $(SKIP_TAG)) $(TESTS)

# The suite again under AddressSanitizer and UndefinedBehaviorSanitizer,
# but for the files tagged not-sanitized: they test scripts, documents and
# the tree (the labs' replays and checks, the manuals, the build), and the
# programs they start do nothing there that the other files do not.
SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
sanitize:
	$(MAKE) O=build/san BIN=build/san/bin CFLAGS="$(SAN_FLAGS)" \
		LDFLAGS="$(SAN_FLAGS)" SKIP_TAG=not-sanitized test

# libFuzzer targets (clang), each run for FUZZ_TIME seconds over its corpus.
FUZZ_TIME ?= 20
FUZZ_CC ?= clang
FUZZ_FLAGS = -O1 -g -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all
FUZZ_CFLAGS = $(STD) -Icommon -DRAWFTP_VERSION='"$(VERSION)"' $(FUZZ_FLAGS)
FUZZ_SRC = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS = $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
# common/ (and ftp-labd's parts) compiled once with the fuzz flags, into
# build/fuzz/obj, and linked into every target.
FUZZ_O = build/fuzz/obj
FUZZ_LIB = $(FUZZ_O)/librawftp.a
FUZZ_LABD_OBJ = $(LABD_PARTS:%.c=$(FUZZ_O)/%.o)
$(FUZZ_O)/common/%.o: common/%.c $(wildcard common/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@
$(FUZZ_O)/tools/ftp-labd/%.o: tools/ftp-labd/%.c \
	$(wildcard common/*.h tools/ftp-labd/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Itools/ftp-labd -c $< -o $@
$(FUZZ_O)/gen/webfiles.o: $(WEB_GEN) common/web.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@
$(FUZZ_LIB): $(COMMON_SRC:%.c=$(FUZZ_O)/%.o) $(FUZZ_O)/gen/webfiles.o
	rm -f $@
	$(AR) rcs $@ $^
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB) $(wildcard common/*.h)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIB)
fuzz-build: $(FUZZ_BINS)
fuzz: fuzz-build
	tests/fuzz/run $(FUZZ_TIME) $(FUZZ_BINS)

# The target that drives a whole session links ftp-labd's parts too.
build/fuzz/fuzz_session: tests/fuzz/fuzz_session.c $(FUZZ_LABD_OBJ) \
	$(FUZZ_LIB) $(wildcard common/*.h tools/ftp-labd/*.c tools/ftp-labd/*.h)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Itools/ftp-labd -o $@ $< \
		$(FUZZ_LABD_OBJ) $(FUZZ_LIB) -pthread

# The target that drives ftp-tap's session logic includes session.c.
build/fuzz/fuzz_tap_session: tests/fuzz/fuzz_tap_session.c $(FUZZ_LIB) \
	$(wildcard common/*.h tools/ftp-tap/*.c tools/ftp-tap/*.h)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Itools/ftp-tap -o $@ $< $(FUZZ_LIB) -pthread

# The one-command tour (README): ftp-labd on a free loopback port, a
# scripted session shown on screen, every file verified byte for byte.
demo: all
	RAWFTP_BIN=$(abspath $(BIN)) labs/demo
.PHONY: demo

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	cp $(PROGS) $(DESTDIR)$(BINDIR)/
	cp docs/man/*.1 $(DESTDIR)$(MANDIR)/man1/

uninstall:
	for p in $(FILE_TOOLS) $(DIR_TOOLS); do \
		rm -f $(DESTDIR)$(BINDIR)/$$p $(DESTDIR)$(MANDIR)/man1/$$p.1; done

clean:
	rm -rf $(O) $(BIN)

.PHONY: all test sanitize fuzz fuzz-build install uninstall clean
