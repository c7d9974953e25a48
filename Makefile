# tinbao - offline SMS field-reporting gateway.
#
#   make            build ./tinbao
#   make run        run the gateway on the embedded demo (dummy phone, var/)
#   make check      build and run every test
#   make bench      parser and end-to-end benchmarks
#   make fuzz       run the libFuzzer targets (FUZZ_SECONDS=600 each, or FUZZ_RUNS=N)
#   make valgrind   the integration tests with ./tinbao under valgrind (B=build-vg)
#   make install    the binary, man pages, example configuration, systemd unit
#                   (PREFIX=/usr/local, DESTDIR for staging)
#   make deb        the Debian package, ../tinbao_VERSION_ARCH.deb (debian/)
#
# Switches: WERROR=1 (warnings are errors), SANITIZE=1 (address+undefined).
# CPPFLAGS/CFLAGS/LDFLAGS from the environment are kept, not overwritten.

VERSION = 0.2
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/tinbao
SYSTEMDUNITDIR ?= /lib/systemd/system
CC ?= cc
CFLAGS ?= -O2 -g
PKG_CONFIG ?= pkg-config
PKGS = gammu sqlite3 libconfig libcurl xlsxwriter libmicrohttpd libargon2
# libcurl, libxlsxwriter and libmicrohttpd (with GnuTLS behind it) are opened
# when first used (gateway/util/dynlib.h): the build needs their headers, the
# binary is not linked with them.
LINK_PKGS = gammu sqlite3 libconfig libargon2
TEST_PKGS = cmocka

WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith \
       -Wformat=2 -Wno-unused-parameter
ifeq ($(WERROR),1)
WARN += -Werror
endif
ifeq ($(SANITIZE),1)
SAN = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif

# Evaluated when a recipe runs, i.e. after the deps check below.
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(LINK_PKGS))
CURL_LIBS = $(shell $(PKG_CONFIG) --libs libcurl)
TEST_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(TEST_PKGS))
TEST_LIBS = $(shell $(PKG_CONFIG) --libs $(TEST_PKGS))

# The gateway is one module in rooms (gateway/*/): each room's headers are
# included by name.
GATEWAY_DIRS = $(sort $(dir $(wildcard gateway/*/*.h)))
INCLUDES = -Iparser -Iconfig -Istore $(patsubst %/,-I%,$(GATEWAY_DIRS))
# -pthread: the web console answers on a thread of its own.
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -pthread $(INCLUDES) \
	     $(WARN) $(SAN) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SAN) -pthread $(LDFLAGS)

B = build

# Objects depend on the flags they were built with: switching SANITIZE=1 on or
# off rebuilds everything instead of mixing instrumented and plain objects.
FLAGS_NOW = $(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS)
FLAGS_OLD = $(shell cat $(B)/.flags 2>/dev/null)
ifneq ($(strip $(FLAGS_NOW)),$(strip $(FLAGS_OLD)))
$(shell mkdir -p $(B) && echo '$(FLAGS_NOW)' > $(B)/.flags)
endif

# The sources go by module, one folder each: every .c file of a folder is
# part of its module.  The store brings stored numbers to one form
# (gateway/util/phone.h) in a migration.
PARSER_SRC = $(sort $(wildcard parser/*.c))
CONFIG_SRC = $(sort $(wildcard config/*.c))
STORE_SRC = $(sort $(wildcard store/*.c)) gateway/util/phone.c
LOG_SRC = gateway/util/log.c
GATEWAY_SRC = $(filter-out $(STORE_SRC) $(LOG_SRC),$(sort $(wildcard gateway/*.c gateway/*/*.c)))
SRC = $(PARSER_SRC) $(CONFIG_SRC) $(STORE_SRC) $(LOG_SRC) $(GATEWAY_SRC)

obj = $(patsubst %.c,$(B)/%.o,$(1))
PARSER_OBJ = $(call obj,$(PARSER_SRC))
CONFIG_OBJ = $(call obj,$(CONFIG_SRC))
STORE_OBJ = $(call obj,$(STORE_SRC))
LOG_OBJ = $(call obj,$(LOG_SRC))
OBJ = $(call obj,$(SRC))
# Everything but main(): what the tests link with.
LIB_OBJ = $(filter-out $(call obj,gateway/main.c),$(OBJ))

UNIT_TESTS = $(B)/tests/test_parser $(B)/tests/test_config $(B)/tests/test_store \
	     $(B)/tests/test_gateway
INTEG_TESTS = $(B)/tests/test_integration $(B)/tests/test_push
INTEG_TESTS += $(B)/tests/test_modemsim
UNIT_TESTS += $(B)/tests/test_report
INTEG_TESTS += $(B)/tests/test_digest
BENCH = $(B)/tests/bench_parser

.PHONY: all deps test-deps deb lint-man run check valgrind unit-check integ-check bench fuzz clean install format demo

all: tinbao

# Dependencies: install them when we can (root), otherwise say how.  The
# binary needs the build set only; the tests (and only they) the test set,
# so that `make` on the office PC never installs the test and fuzz tools.
deps:
	@if ! $(PKG_CONFIG) --exists $(PKGS) 2>/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "tinbao: installing missing build dependencies"; \
			sh contrib/install-deps.sh || exit 1; \
		else \
			echo "tinbao: missing build dependencies (pkg-config: $(PKGS))."; \
			echo "Run:  sudo sh contrib/install-deps.sh"; \
			exit 1; \
		fi; \
	fi

test-deps: deps
	@if ! $(PKG_CONFIG) --exists $(TEST_PKGS) 2>/dev/null || \
	    ! command -v python3 >/dev/null 2>&1 || ! command -v gammu-smsd >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "tinbao: installing missing test dependencies"; \
			sh contrib/install-deps.sh --test || exit 1; \
		else \
			echo "tinbao: missing test dependencies (pkg-config: $(TEST_PKGS); python3, gammu-smsd)."; \
			echo "Run:  sudo sh contrib/install-deps.sh --test"; \
			exit 1; \
		fi; \
	fi

$(B)/%.o: %.c $(B)/.flags | deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/gateway/main.o: ALL_CFLAGS += -DTINBAO_VERSION='"$(VERSION)"'

tinbao: $(OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $(OBJ) $(PKG_LIBS)

# Tests -------------------------------------------------------------------

$(B)/tests/%.o: tests/%.c $(B)/.flags | test-deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) $(TEST_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/tests/test_parser: $(B)/tests/test_parser.o $(PARSER_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(TEST_LIBS)

# The corpus of officers' messages (tests/corpus/*.tsv) on contrib/tinbao.conf.
UNIT_TESTS += $(B)/tests/test_corpus
$(B)/tests/test_corpus: $(B)/tests/test_corpus.o $(CONFIG_OBJ) $(PARSER_OBJ) $(LOG_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)

$(B)/tests/test_config: $(B)/tests/test_config.o $(CONFIG_OBJ) $(PARSER_OBJ) $(LOG_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)

$(B)/tests/test_store: $(B)/tests/test_store.o $(STORE_OBJ) $(LOG_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)

$(B)/tests/test_gateway: $(B)/tests/test_gateway.o $(LIB_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)

$(B)/tests/test_integration: $(B)/tests/test_integration.o $(B)/tests/fixture.o $(call obj,gateway/modem/modem.c) $(LOG_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)

# The test's own requests to the district server go through libcurl.
$(B)/tests/test_push: $(B)/tests/test_push.o $(B)/tests/fixture.o $(LIB_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CURL_LIBS) $(TEST_LIBS)

# The AT-modem simulator (tests/modemsim/README.md) and the tests that drive
# libgammu's AT driver through it.
MODEMSIM_SRC = tests/modemsim/modemsim.c tests/modemsim/pdu.c
$(B)/tests/modemsim: $(MODEMSIM_SRC) tests/modemsim/pdu.h $(B)/.flags | test-deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(MODEMSIM_SRC)

$(B)/tests/test_modemsim: $(B)/tests/test_modemsim.o $(B)/tests/fixture.o \
			  $(call obj,gateway/modem/modem.c) $(LOG_OBJ) \
			  $(B)/tests/modemsim
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(PKG_LIBS) $(TEST_LIBS)

$(B)/tests/test_report: $(B)/tests/test_report.o $(B)/tests/plantest.o $(B)/tests/fixture.o \
		       $(LIB_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)

$(B)/tests/test_digest: $(B)/tests/test_digest.o $(B)/tests/plantest.o $(B)/tests/fixture.o \
		       $(LIB_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)

# Senders, quarantine, replay, limits.
INTEG_TESTS += $(B)/tests/test_trust
# It writes workbooks to import with libxlsxwriter itself.
$(B)/tests/test_trust: $(B)/tests/test_trust.o $(B)/tests/fixture.o $(LIB_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS) \
	    $(shell $(PKG_CONFIG) --libs xlsxwriter)

$(B)/tests/bench_trust: $(B)/tests/bench_trust.o $(LIB_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Storage faults and backups.
INTEG_TESTS += $(B)/tests/test_faults
$(B)/tests/test_faults: $(B)/tests/test_faults.o $(B)/tests/fixture.o $(call obj,gateway/modem/modem.c) \
			$(LOG_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)

# kill -9 at random points: a short form in check, 200 cycles in
# torture (TORTURE_SEED=N replays a run).
INTEG_TESTS += $(B)/tests/torture
$(B)/tests/torture: $(B)/tests/torture.o $(B)/tests/fixture.o $(B)/tests/modemsim
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(PKG_LIBS)

TORTURE_CYCLES ?= 200
.PHONY: torture
torture: tinbao $(B)/tests/torture
	$(B)/tests/torture $(TORTURE_CYCLES)

$(B)/tests/bench_report: $(B)/tests/bench_report.o $(B)/tests/benchdb.o $(B)/tests/plantest.o \
			$(LIB_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# The loop while the daily copy of a database of 1M reports is made.
$(B)/tests/bench_loop: $(B)/tests/bench_loop.o $(B)/tests/benchdb.o $(B)/tests/benchrun.o \
		      $(B)/tests/fixture.o $(LIB_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/tests/bench_parser: $(B)/tests/bench_parser.o $(CONFIG_OBJ) $(PARSER_OBJ) $(LOG_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/tests/bench_e2e: $(B)/tests/bench_e2e.o $(B)/tests/benchrun.o $(B)/tests/fixture.o \
		     $(call obj,gateway/modem/modem.c) $(LOG_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Private configuration, the drop from root, fuzz regressions.
INTEG_TESTS += $(B)/tests/test_secure
$(B)/tests/test_secure: $(B)/tests/test_secure.o $(B)/tests/fixture.o $(LIB_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)

# The command line: --version, --help, help COMMAND, the man page's commands.
INTEG_TESTS += $(B)/tests/test_cli
$(B)/tests/test_cli: $(B)/tests/test_cli.o $(B)/tests/fixture.o $(LIB_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)

# tinbao import-smsd on a database the real gammu-smsd wrote.
INTEG_TESTS += $(B)/tests/test_smsd
$(B)/tests/test_smsd: $(B)/tests/test_smsd.o $(B)/tests/fixture.o $(LOG_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)

# tinbao send: notices through the outbox.
INTEG_TESTS += $(B)/tests/test_send
$(B)/tests/test_send: $(B)/tests/test_send.o $(B)/tests/fixture.o $(B)/tests/plantest.o $(LOG_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)

# The web console: its pure parts, then `tinbao web` driven over HTTP and in
# headless Chromium (tests/web_client.py, tests/web_browser.py).
INTEG_TESTS += $(B)/tests/test_web
$(B)/tests/test_web: $(B)/tests/test_web.o $(B)/tests/webhttp.o $(B)/tests/fixture.o $(LIB_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)

# The messages page over 1,000,000 stored SMS, and the loop while the
# console serves it.
$(B)/tests/bench_web: $(B)/tests/bench_web.o $(B)/tests/webhttp.o $(B)/tests/benchrun.o $(B)/tests/fixture.o $(LIB_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# What the console's thread and the loop share, from several threads under
# ThreadSanitizer (a race fails the run); its own sources, since it cannot
# mix with the objects of SANITIZE=1.
UNIT_TESTS += $(B)/tests/test_threads
THREADS_SRC = tests/test_threads.c gateway/util/dynlib.c gateway/outbound/quota.c \
	      gateway/util/clock.c $(STORE_SRC) $(LOG_SRC)
$(B)/tests/test_threads: $(THREADS_SRC) $(B)/.flags | test-deps
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -fsanitize=%,$(ALL_CFLAGS)) -fsanitize=thread $(PKG_CFLAGS) \
	    $(TEST_CFLAGS) -o $@ $(THREADS_SRC) $(PKG_LIBS) $(TEST_LIBS)

# Every test binary runs; the last line is the summary of all of them.
check: tinbao $(UNIT_TESTS) $(INTEG_TESTS)
	@sh tests/run-tests.sh $(UNIT_TESTS) $(INTEG_TESTS)

bench: tinbao $(BENCH) $(B)/tests/bench_e2e $(B)/tests/test_push $(B)/tests/bench_report \
       $(B)/tests/bench_trust $(B)/tests/bench_loop $(B)/tests/bench_web
	@$(B)/tests/bench_parser contrib/tinbao.conf
	@$(B)/tests/bench_e2e ./tinbao contrib/tinbao.conf
	@$(B)/tests/test_push --bench 100000
	@$(B)/tests/bench_report contrib/tinbao.conf
	@$(B)/tests/bench_trust contrib/tinbao.conf
	@$(B)/tests/bench_loop ./tinbao contrib/tinbao.conf
	@$(B)/tests/bench_web ./tinbao contrib/tinbao.conf

# Valgrind: the integration tests with the gateway under memcheck, from a
# build without sanitizers in build-vg/ (./tinbao is left alone).  Every
# run writes build-vg/vg/<pid>.log; any error or leak (definite or
# indirect) in any of them fails the target.  tests/valgrind.supp lists the
# third-party suppressions, each explained.
VG_B = build-vg
# test_push is left out: its fault injections (timeouts of tens of ms, crash
# points counted in batches) do not hold at memcheck's speed; test_modemsim
# runs the modem code in its own process, no gateway binary.
VG_TESTS = test_integration test_digest test_trust test_secure
VALGRIND = valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect \
	   --show-leak-kinds=definite,indirect --error-exitcode=99 --track-fds=no --vgdb=no \
	   --suppressions=$(CURDIR)/tests/valgrind.supp --log-file=$(CURDIR)/$(VG_B)/vg/%p.log

$(B)/tinbao: $(OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $(OBJ) $(PKG_LIBS)

valgrind:
	$(MAKE) B=$(VG_B) SANITIZE=0 $(VG_B)/tinbao $(addprefix $(VG_B)/tests/,$(VG_TESTS))
	@rm -rf $(VG_B)/vg && mkdir -p $(VG_B)/vg
	@TINBAO_BIN=$(VG_B)/tinbao TINBAO_WRAPPER="$(VALGRIND)" \
		sh tests/run-tests.sh $(addprefix $(VG_B)/tests/,$(VG_TESTS))
	@sh tests/valgrind-check.sh $(VG_B)/vg

# The demo: a dummy phone and a database under var/, the demo messages in the
# phone's inbox, the gateway in the foreground (Ctrl-C stops it).
VAR = $(CURDIR)/var
demo: tinbao
	@sh contrib/demo/prepare.sh "$(VAR)" ./tinbao

run: demo
	./tinbao -c var/tinbao.conf run

# libFuzzer: clang, with address and undefined-behaviour sanitizers.
# FUZZ_SECONDS per target, or FUZZ_RUNS executions per target when set
# (`make fuzz FUZZ_RUNS=10000000`); FUZZ_TARGETS picks some of them.
FUZZ_SECONDS ?= 600
FUZZ_RUNS ?=
FUZZ_CC ?= clang
FUZZ_TARGETS ?= parser config push_answer sheet
FUZZ_FLAGS = -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -g -O2 $(INCLUDES) \
	     -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
# The typo index's edit distance compares every pair of letters: with
# libFuzzer's comparison tracing there it was half of each execution, and
# the names it compares with are in the dictionary anyway.  Edge coverage
# and the sanitizers stay.
FUZZ_NOCMP = -fno-sanitize-coverage=trace-cmp
FUZZ_LIMIT = $(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS),-max_total_time=$(FUZZ_SECONDS))
# libconfig leaks on some broken files (tests/fuzz/lsan.supp), and libFuzzer
# then runs a full leak check, whose cost grows with ASan's quarantine of
# freed memory (256 MB by default): with 4 MB the config target runs 7 times
# faster (300 -> 2,000 executions/s), leak detection and use-after-free
# checks still on.
FUZZ_ASAN = quarantine_size_mb=4
FUZZ_PARSER_SRC = $(filter-out parser/fuzzy.c,$(PARSER_SRC))
# Everything but main() (and fuzzy.c, built apart above).
FUZZ_LIB_SRC = $(filter-out parser/fuzzy.c gateway/main.c,$(SRC))

$(B)/fuzz/fuzzy.o: parser/fuzzy.c parser/fuzzy.h | test-deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_NOCMP) -c -o $@ parser/fuzzy.c

$(B)/fuzz/fuzz_parser: tests/fuzz/fuzz_parser.c $(PARSER_SRC) parser/parser.h parser/impl.h \
		       $(B)/fuzz/fuzzy.o | test-deps
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ tests/fuzz/fuzz_parser.c $(FUZZ_PARSER_SRC) $(B)/fuzz/fuzzy.o

$(B)/fuzz/fuzz_config: tests/fuzz/fuzz_config.c $(FUZZ_PARSER_SRC) $(CONFIG_SRC) $(LOG_SRC) \
		       config/config.h config/impl.h $(B)/fuzz/fuzzy.o | test-deps
	$(FUZZ_CC) $(FUZZ_FLAGS) $(PKG_CFLAGS) -o $@ tests/fuzz/fuzz_config.c $(FUZZ_PARSER_SRC) \
		$(CONFIG_SRC) $(LOG_SRC) $(B)/fuzz/fuzzy.o $(PKG_LIBS)

$(B)/fuzz/fuzz_push_answer: tests/fuzz/fuzz_push_answer.c $(FUZZ_LIB_SRC) gateway/push/push.h gateway/push/push_impl.h \
			    $(B)/fuzz/fuzzy.o | test-deps
	$(FUZZ_CC) $(FUZZ_FLAGS) $(PKG_CFLAGS) -o $@ tests/fuzz/fuzz_push_answer.c \
		$(FUZZ_LIB_SRC) $(B)/fuzz/fuzzy.o $(PKG_LIBS)

$(B)/fuzz/fuzz_sheet: tests/fuzz/fuzz_sheet.c gateway/util/sheetfile.c gateway/util/sheetfile_xlsx.c \
		      gateway/util/sheetfile.h gateway/util/sheetfile_impl.h | test-deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ tests/fuzz/fuzz_sheet.c gateway/util/sheetfile.c \
		gateway/util/sheetfile_xlsx.c gateway/util/dynlib.c $(LOG_SRC) -ldl -pthread

# Seeds: the message corpus, the shipped and test configurations, answers,
# tables.
fuzz-%: $(B)/fuzz/fuzz_%
	@mkdir -p $(B)/fuzz/corpus-$*
	@case $* in \
	parser) sh tests/fuzz/seed.sh tests/corpus $(B)/fuzz/corpus-$* ;; \
	config) cp contrib/tinbao.conf tests/fixtures/config/*.conf $(B)/fuzz/corpus-$*/ ;; \
	push_answer) cp tests/fuzz/push-seeds/* $(B)/fuzz/corpus-$*/ ;; \
	sheet) cp tests/fuzz/sheet-seeds/* $(B)/fuzz/corpus-$*/ ;; \
	esac
	ASAN_OPTIONS=$(FUZZ_ASAN) \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/fuzz/lsan.supp:print_suppressions=0 \
		$(B)/fuzz/fuzz_$* $(FUZZ_LIMIT) -max_len=$(if $(filter config,$*),16384,4096) \
		-dict=tests/fuzz/$(if $(filter push_answer,$*),push,$*).dict \
		-artifact_prefix=$(B)/fuzz/ $(B)/fuzz/corpus-$*

fuzz: $(addprefix fuzz-,$(FUZZ_TARGETS))

# The unit's ExecStart and Documentation follow PREFIX and DOCDIR.  An
# existing configuration or gammurc is never overwritten.  The system user
# comes from $(SYSUSERSDIR)/tinbao.conf: run `systemd-sysusers` after a
# plain `make install` (the Debian package does it itself).
SYSUSERSDIR ?= /usr/lib/sysusers.d
install: tinbao
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(SYSTEMDUNITDIR)
	install -m 755 tinbao $(DESTDIR)$(PREFIX)/bin/tinbao
	install -m 644 docs/tinbao.8 $(DESTDIR)$(MANDIR)/man8/tinbao.8
	install -m 644 docs/tinbao.conf.5 $(DESTDIR)$(MANDIR)/man5/tinbao.conf.5
	install -m 644 README.md docs/sms-guide.md docs/push-protocol.md $(DESTDIR)$(DOCDIR)/
	install -m 644 contrib/tinbao.conf contrib/gammurc contrib/demo/senders.csv \
		$(DESTDIR)$(DOCDIR)/examples/
	install -d -m 700 $(DESTDIR)$(SYSCONFDIR)/tinbao
	for f in tinbao.conf gammurc; do \
		[ -e $(DESTDIR)$(SYSCONFDIR)/tinbao/$$f ] || \
			install -m 600 contrib/$$f $(DESTDIR)$(SYSCONFDIR)/tinbao/$$f; \
	done
	sed -e 's|/usr/local/bin/tinbao|$(PREFIX)/bin/tinbao|g' \
	    -e 's|/usr/local/share/doc/tinbao|$(DOCDIR)|g' \
	    -e 's|/etc/tinbao/|$(SYSCONFDIR)/tinbao/|g' \
		contrib/tinbao.service >$(DESTDIR)$(SYSTEMDUNITDIR)/tinbao.service
	chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/tinbao.service
	if [ -n "$(SYSUSERSDIR)" ]; then \
		install -d $(DESTDIR)$(SYSUSERSDIR) && \
		install -m 644 contrib/tinbao.sysusers $(DESTDIR)$(SYSUSERSDIR)/tinbao.conf; \
	fi

# The Debian package, built from this tree: ../tinbao_$(VERSION)_*.deb.
deb:
	dpkg-buildpackage -us -uc -b

# The man pages, checked by mandoc's linter (warnings count).
lint-man:
	mandoc -Tlint -Wwarning docs/tinbao.8 docs/tinbao.conf.5

format:
	clang-format -i $(SRC) parser/*.h config/*.h store/*.h gateway/*/*.h tests/*.c

clean:
	rm -rf $(B) $(VG_B) tinbao

-include $(shell find $(B) -name '*.d' 2>/dev/null)
