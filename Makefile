# Persona: a user-space OS personality for Linux.
#   make            build build/persona
#   make check      install build deps if needed, build, run the whole test suite
#   make demo       install build deps if needed, build, run a real program under Persona
#   make bench      microbenchmarks natively and under Persona, ratios in one run
#   make integration-ptrace the integration suite with --trap=ptrace as the default
#   make SANITIZE=1 check   the suite under ASan+UBSan
#   make install PREFIX=/usr/local
#   make fuzz       fuzz the ELF parser for FUZZ_TIME seconds (60; needs clang: installs it if root)
#   make fuzz-replay  replay the fuzz corpus through the parser without libFuzzer
PREFIX  ?= /usr/local
BUILD   ?= build
CC      ?= cc
PKGS    := libseccomp liburing libffi
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -D_GNU_SOURCE -I. -Iinclude -MMD -MP
ifeq ($(SANITIZE),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -O1
LDFLAGS += -fsanitize=address,undefined
BUILD   := build-san
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS = $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   = $(shell pkg-config --libs check 2>/dev/null)

CORE_SRC := $(wildcard core/*.c) $(wildcard services/*/*.c) $(wildcard services/*/plugins/*.c) \
	    $(wildcard loader/*.c)
MAIN_SRC := core/main.c
LIB_SRC  := $(filter-out $(MAIN_SRC),$(CORE_SRC))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/core/shim_blob.o
UNIT_SRC := $(wildcard tests/unit/*.c)
INTEG_SRC:= $(wildcard tests/integration/*.c)
TRACE_TEST_SRC := $(wildcard tests/trace/*.c)
GUEST_SRC:= $(wildcard tests/guests/*.c)
BENCH_SRC:= $(wildcard tests/bench/*.c)
GUESTS   := $(GUEST_SRC:tests/guests/%.c=$(BUILD)/guests/%)
BENCHES  := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)
# scheduler plugins as shared objects, for the tests (not installed)
SCHED_PLUGIN_SOS := $(patsubst tests/sched-plugins/%.c,$(BUILD)/sched-plugins/%.so,$(wildcard tests/sched-plugins/*.c))
VERSION  := $(shell sed -n 's/^\#define PERSONA_VERSION "\(.*\)"/\1/p' core/main.c)

.PHONY: FORCE all deps check demo bench install clean compat unit integration integration-ptrace trace-tests fuzz fuzz-replay
all: $(BUILD)/persona $(BUILD)/persona-stub $(GUESTS) $(BENCHES) $(SCHED_PLUGIN_SOS) docs/compat.md

# The only program the host execs for a guest (loader/stub/stub.c): static, no libc.
$(BUILD)/persona-stub: loader/stub/stub.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -static -nostdlib -fno-stack-protector -fcf-protection=none \
		-Wl,-Ttext-segment=0x10000000000 -o $@ $<

# The in-guest shim (libc-shim/): freestanding, linked at its fixed address into one
# flat blob that the supervisor embeds (core/shim_blob.S) and copies into each guest.
SHIM_CFLAGS := -O2 -std=gnu11 -Wall -Wextra -I. -ffreestanding -nostdlib -fPIC -fno-stack-protector \
	       -fcf-protection=none -mgeneral-regs-only -fno-asynchronous-unwind-tables -fno-jump-tables
$(BUILD)/libc-shim/%.o: libc-shim/%.c libc-shim/shim_abi.h
	@mkdir -p $(dir $@)
	$(CC) $(SHIM_CFLAGS) -c $< -o $@
$(BUILD)/libc-shim/%.o: libc-shim/%.S libc-shim/shim_abi.h
	@mkdir -p $(dir $@)
	$(CC) $(SHIM_CFLAGS) -c $< -o $@
$(BUILD)/libc-shim/shim.elf: $(BUILD)/libc-shim/entry.o $(BUILD)/libc-shim/shim.o libc-shim/shim.ld
	$(CC) -nostdlib -static -Wl,--no-dynamic-linker -Wl,-T,libc-shim/shim.ld -Wl,--build-id=none -o $@ \
		$(BUILD)/libc-shim/entry.o $(BUILD)/libc-shim/shim.o
$(BUILD)/libc-shim/shim.bin: $(BUILD)/libc-shim/shim.elf
	objcopy -O binary -j .text $< $@
$(BUILD)/core/shim_blob.o: core/shim_blob.S $(BUILD)/libc-shim/shim.bin
	@mkdir -p $(dir $@)
	$(CC) -DSHIM_BIN='"$(BUILD)/libc-shim/shim.bin"' -c $< -o $@

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

# services/sched/plugin.c looks for installed plugins in $(PREFIX)/lib/persona/sched;
# the stamp rebuilds it when PREFIX changes. (dlopen is in glibc's libc since 2.34.)
$(BUILD)/services/sched/plugin.o: CFLAGS += -DPERSONA_PREFIX='"$(PREFIX)"'
$(BUILD)/services/sched/plugin.o: $(BUILD)/prefix.stamp
$(BUILD)/prefix.stamp: FORCE
	@mkdir -p $(dir $@)
	@echo '$(PREFIX)' | cmp -s - $@ || echo '$(PREFIX)' > $@
FORCE:

# Scheduler plugins the tests load (tests/sched-plugins/): built as a plugin author would
$(BUILD)/sched-plugins/%.so: tests/sched-plugins/%.c include/persona/sched.h
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -std=gnu11 -Wall -Wextra -Wno-unused-parameter -shared -fPIC -Iinclude -o $@ $<

# pkg-config file for out-of-tree plugins (header only: a plugin links against nothing)
$(BUILD)/persona-sched.pc: persona-sched.pc.in $(BUILD)/prefix.stamp
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' $< > $@

# rebuilt from scratch: `ar r` keeps members whose sources are gone, and a stale
# member defining a symbol that moved to another file can win at link time
$(BUILD)/libpersona.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/persona: $(BUILD)/core/main.o $(BUILD)/libpersona.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/unit-tests: $(UNIT_SRC:%.c=$(BUILD)/%.o) $(BUILD)/libpersona.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS)

$(BUILD)/trace-tests: $(TRACE_TEST_SRC:%.c=$(BUILD)/%.o) $(BUILD)/libpersona.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS)

$(BUILD)/integration-tests: $(INTEG_SRC:%.c=$(BUILD)/%.o)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS)

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(CHECK_CFLAGS) -c $< -o $@

# Guest programs are ordinary Linux programs: they must not depend on Persona.
$(BUILD)/guests/%: tests/guests/%.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -g -Wall -Wextra -D_GNU_SOURCE -o $@ $< -lpthread

# a static-pie guest: built as such (the pattern rule above makes dynamic ones)
$(BUILD)/guests/static_pie: tests/guests/static_pie.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -g -Wall -Wextra -D_GNU_SOURCE -static-pie -o $@ $<

$(BUILD)/bench/%: tests/bench/%.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -D_GNU_SOURCE -o $@ $< -lpthread

# docs/compat.md is generated from the one syscall table.
docs/compat.md: $(BUILD)/persona
	$(BUILD)/persona compat > $@.tmp && mv $@.tmp $@

deps:
	@sh tools/install-deps.sh

unit: $(BUILD)/unit-tests $(SCHED_PLUGIN_SOS)
	SCHED_PLUGINS=$(BUILD)/sched-plugins $(BUILD)/unit-tests

trace-tests: $(BUILD)/trace-tests
	$(BUILD)/trace-tests

integration: $(BUILD)/persona $(GUESTS) $(BUILD)/integration-tests
	PERSONA=$(BUILD)/persona GUESTS=$(BUILD)/guests $(BUILD)/integration-tests

# the whole integration suite with ptrace as the default trap: the shim's fallback,
# and the backend persona trace uses (docs/shim.md)
integration-ptrace: $(BUILD)/persona $(GUESTS) $(BUILD)/integration-tests
	PERSONA_TRAP=ptrace PERSONA=$(BUILD)/persona GUESTS=$(BUILD)/guests $(BUILD)/integration-tests

check: deps
	$(MAKE) all $(BUILD)/unit-tests $(BUILD)/integration-tests $(BUILD)/trace-tests
	SCHED_PLUGINS=$(BUILD)/sched-plugins $(BUILD)/unit-tests
	$(BUILD)/trace-tests
	PERSONA=$(BUILD)/persona GUESTS=$(BUILD)/guests $(BUILD)/integration-tests
	PERSONA_TRAP=ptrace PERSONA=$(BUILD)/persona GUESTS=$(BUILD)/guests $(BUILD)/integration-tests

demo: deps
	$(MAKE) $(BUILD)/persona
	$(BUILD)/persona run -- sh -c 'echo "hello from pid $$$$ under Persona"; ls -l / | head -5; ps -e'

bench: deps
	$(MAKE) $(BUILD)/persona $(BENCHES)
	PERSONA=$(BUILD)/persona BENCH=$(BUILD)/bench sh tests/bench/run.sh

# The ELF parser under libFuzzer with ASan+UBSan (tests/fuzz/fuzz_elf.c). New inputs go
# to build-fuzz/corpus, crashes to build-fuzz/crash-*; the seeds stay in tests/fuzz/corpus.
FUZZ_TIME ?= 60
FUZZ_CC   ?= clang
FUZZ_SRC  := tests/fuzz/fuzz_elf.c loader/elf.c
fuzz:
	@command -v $(FUZZ_CC) >/dev/null 2>&1 || sh tools/install-deps.sh fuzz || true
	@command -v $(FUZZ_CC) >/dev/null 2>&1 || { echo "make fuzz: $(FUZZ_CC) is missing; install it with: apt-get install -y clang" >&2; exit 1; }
	@mkdir -p build-fuzz/corpus
	$(FUZZ_CC) -g -O1 -std=gnu11 -D_GNU_SOURCE -I. -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -o build-fuzz/fuzz_elf $(FUZZ_SRC)
	build-fuzz/fuzz_elf -max_total_time=$(FUZZ_TIME) -print_final_stats=1 -artifact_prefix=build-fuzz/ \
		build-fuzz/corpus tests/fuzz/corpus

fuzz-replay: $(BUILD)/fuzz_elf_replay
	$(BUILD)/fuzz_elf_replay tests/fuzz/corpus $(wildcard build-fuzz/corpus)

$(BUILD)/fuzz_elf_replay: $(FUZZ_SRC) loader/elf.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DFUZZ_REPLAY -o $@ $(FUZZ_SRC) $(LDFLAGS)

install: $(BUILD)/persona $(BUILD)/persona-stub $(BUILD)/persona-sched.pc
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include/persona/core $(DESTDIR)$(PREFIX)/share/doc/persona
	install -m 755 $(BUILD)/persona $(DESTDIR)$(PREFIX)/bin/persona
	install -d $(DESTDIR)$(PREFIX)/lib/persona
	install -m 755 $(BUILD)/persona-stub $(DESTDIR)$(PREFIX)/lib/persona/persona-stub
	install -m 644 core/*.h $(DESTDIR)$(PREFIX)/include/persona/core/
	install -d $(DESTDIR)$(PREFIX)/lib/persona/sched $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 include/persona/*.h $(DESTDIR)$(PREFIX)/include/persona/
	install -m 644 $(BUILD)/persona-sched.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/persona-sched.pc
	install -m 644 README.md docs/*.md $(DESTDIR)$(PREFIX)/share/doc/persona/

clean:
	rm -rf build build-san

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
