# dynamo: SQL over Amazon DynamoDB, as a loadable SQLite extension.
#
#   make            build ./dynamo.so            (.load ./dynamo)
#   make install    copy it to $(DESTDIR)$(PREFIX)/lib, where the dynamic
#                   loader finds it: then `.load dynamo` works anywhere
#   make test       install what is missing, run every test against a local
#                   server (SERVER=dynamodb-local, the default, or dynalite)
#   make demo       start DynamoDB Local, create Tracks, run the reports in sql/
#   make server     a DynamoDB Local in the background, to try the extension
#                   by hand: prints the export lines for your shell
#                   (eval "$$(make -s server)"); make server-stop stops it
#   make bench      time the extension against boto3 and the AWS CLI on a local
#                   DynamoDB (bench/run.py); never part of make test
#   make differential  the randomized differential at SEEDS="1 2 3" QUERIES=3000
#                   (make test runs a small one)
#   make sync-kills dynamo_sync killed at KILLS=200 random moments (make test:
#                   12), each next sync checked exact
#   make test-asan  the same tests with AddressSanitizer + UBSan
#   make test-valgrind  the same tests under valgrind memcheck
#   make fuzz       the libFuzzer targets, FUZZ_SECONDS (20) each

PREFIX    ?= /usr/local
LIBDIR    ?= $(PREFIX)/lib
SERVER    ?= dynamodb-local
PKG_CONFIG ?= pkg-config
CC        ?= cc
CFLAGS    ?= -O2 -g

# ASSERT=1 keeps the assert()s that state the code's invariants (make test
# and the sanitizer, valgrind and fuzz builds); a release build leaves them
# out with -DNDEBUG, as SQLite does. build/mode holds that choice and CFLAGS,
# so objects built another way (asserts, sanitizers, optimisation) are rebuilt.
ASSERT    ?= 0
MODE      := $(if $(filter 1,$(ASSERT)),,-DNDEBUG)

VERSION   := 0.1.0
COMMIT    := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

PKGS      := sqlite3 libcurl libcrypto libcjson zlib
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs libcurl libcrypto libcjson zlib) -lm

WARN      := -Wall -Wextra -Werror
BASE_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) -fPIC -fvisibility=hidden \
              -Iinclude $(PKG_CFLAGS) \
              -DDYNAMO_VERSION='"$(VERSION)"' -DDYNAMO_COMMIT='"$(COMMIT)"' $(MODE)

SRCS      := $(wildcard ext/*.c)
HDRS      := $(wildcard include/*.h)
OBJS      := $(SRCS:ext/%.c=build/ext/%.o)
UNIT_OBJS := $(SRCS:ext/%.c=build/unit/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=build/unit/%)

.PHONY: all loadable install uninstall unit test test-unit test-e2e test-asan \
        demo server server-stop deps clean format FORCE

all: dynamo.so
loadable: dynamo.so

build/ext/%.o: ext/%.c $(HDRS) build/mode | build/ext
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -c $< -o $@

dynamo.so: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,--no-undefined -o $@ $(OBJS) $(PKG_LIBS) -lm

# Unit tests link the same sources against libsqlite3 (SQLITE_CORE).
build/unit/%.o: ext/%.c $(HDRS) build/mode | build/unit
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -DSQLITE_CORE -c $< -o $@

build/unit/test_%: tests/unit/test_%.c $(wildcard tests/unit/*.h) $(UNIT_OBJS) | build/unit
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -DSQLITE_CORE -o $@ $< $(UNIT_OBJS) \
	  $(PKG_LIBS) -lsqlite3 -lm

unit: $(UNIT_BINS)

# dynamo_version() names the commit: rebuild dynamo.c when HEAD moves (the
# stamp is rewritten only when it changes, so nothing else rebuilds).
build/commit: FORCE | build/ext
	@echo '$(COMMIT)' | cmp -s - $@ || echo '$(COMMIT)' > $@
build/ext/dynamo.o build/unit/dynamo.o: build/commit
build/mode: FORCE | build/ext
	@echo '$(MODE) $(CFLAGS)' | cmp -s - $@ || echo '$(MODE) $(CFLAGS)' > $@
FORCE:

build/ext build/unit:
	mkdir -p $@

# SQLite's .load dynamo asks the dynamic loader for dynamo.so: refresh its
# cache when installing into the live system. (The tests install the library
# they are testing with `make -o dynamo.so install`: never rebuilt.)
install: dynamo.so
	install -d $(DESTDIR)$(LIBDIR)
	install -m 0644 dynamo.so $(DESTDIR)$(LIBDIR)/dynamo.so
	@if [ -z "$(DESTDIR)" ] && command -v ldconfig >/dev/null && [ "$$(id -u)" = 0 ]; then ldconfig; fi

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/dynamo.so

# Everything below installs what is missing first, then builds again in a
# sub-make so that pkg-config sees the freshly installed packages; that
# sub-make compiles on every CPU (JOBS, default nproc).
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
deps:
	tests/deps.sh

test: deps
	$(MAKE) -j$(JOBS) dynamo.so unit ASSERT=1
	tests/run.sh --server $(SERVER) --asserts

test-unit:
	$(MAKE) -j$(JOBS) unit ASSERT=1
	tests/run.sh --unit-only

test-asan: deps
	$(MAKE) clean
	$(MAKE) -j$(JOBS) dynamo.so unit ASSERT=1 CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all"
	tests/run.sh --server $(SERVER) --asan --asserts; status=$$?; $(MAKE) clean; exit $$status

# The randomized differential (tests/e2e/differential.py) at a larger size
# than make test runs it: SEEDS seeds of about QUERIES queries each over
# every key shape, each answer compared with a native SQLite table's.
SEEDS   ?= 1 2 3
QUERIES ?= 3000
.PHONY: differential
differential: deps
	$(MAKE) -j$(JOBS) dynamo.so unit ASSERT=1
	DIFFERENTIAL_SEEDS="$(SEEDS)" DIFFERENTIAL_QUERIES=$(QUERIES) \
	  tests/run.sh --server $(SERVER) --asserts -k test_175_differential

# dynamo_sync killed at random moments (tests/e2e/test_200_sync.py), more
# times than make test does: KILLS children SIGKILLed mid-sync, seeds from
# SEED; each next sync must leave the copy exact.
KILLS ?= 200
SEED  ?= 1
.PHONY: sync-kills
sync-kills: deps
	$(MAKE) -j$(JOBS) dynamo.so unit ASSERT=1
	SYNC_KILLS=$(KILLS) SYNC_SEED=$(SEED) \
	  tests/run.sh --server $(SERVER) --asserts -k test_killed_anywhere

# The same tests under valgrind memcheck (a normal build, hence the clean:
# no object left by test-asan): errors and definite leaks fail;
# tests/valgrind.supp holds the suppressions.
.PHONY: test-valgrind fuzz
test-valgrind: deps
	$(MAKE) clean
	$(MAKE) -j$(JOBS) dynamo.so unit ASSERT=1
	tests/run.sh --server $(SERVER) --valgrind --asserts

# libFuzzer targets (clang): build them into build/fuzz and run each for
# FUZZ_SECONDS from the seeds in tests/fuzz/corpus (see tests/fuzz/run.sh).
FUZZ_SECONDS ?= 20
fuzz: deps
	tests/fuzz/run.sh --seconds $(FUZZ_SECONDS)

demo: deps
	$(MAKE) -j$(JOBS) dynamo.so
	tests/demo.sh

# Only the export lines (and # comments) go to stdout, so that
# eval "$$(make -s server)" works; the rest goes to stderr. dynamo.so is
# built when missing, never rebuilt here (a test run's build stays as it is).
server:
	@tests/deps.sh >&2
	@[ -f dynamo.so ] || $(MAKE) -s --no-print-directory dynamo.so >&2
	@tests/local-server.sh start

server-stop:
	@tests/local-server.sh stop

# Timings: the extension against boto3 and the AWS CLI, measured in one run
# (peers that are not installed are skipped with a note). Not run by test/CI.
.PHONY: bench
bench: dynamo.so build/cjson_floor
	/usr/bin/python3 bench/run.py $(BENCH_ARGS)

build/cjson_floor: bench/cjson_floor.c
	mkdir -p build
	$(CC) -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) $(CFLAGS) $$($(PKG_CONFIG) --cflags libcjson) \
	  -o $@ $< $$($(PKG_CONFIG) --libs libcjson)

format:
	clang-format -i ext/*.c include/*.h tests/unit/*.c tests/unit/*.h

clean:
	rm -rf build dynamo.so
