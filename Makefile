# Persona: a user-space OS personality for Linux.
#   make            build build/persona
#   make check      install build deps if needed, build, run the whole test suite
#   make demo       install build deps if needed, build, run a real program under Persona
#   make bench      microbenchmarks natively and under Persona, ratios in one run
#   make SANITIZE=1 check   the suite under ASan+UBSan
#   make install PREFIX=/usr/local
PREFIX  ?= /usr/local
BUILD   ?= build
CC      ?= cc
PKGS    := libseccomp liburing libffi
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -D_GNU_SOURCE -I. -MMD -MP
ifeq ($(SANITIZE),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -O1
LDFLAGS += -fsanitize=address,undefined
BUILD   := build-san
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS = $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   = $(shell pkg-config --libs check 2>/dev/null)

CORE_SRC := $(wildcard core/*.c) $(wildcard services/*/*.c) $(wildcard loader/*.c)
MAIN_SRC := core/main.c
LIB_SRC  := $(filter-out $(MAIN_SRC),$(CORE_SRC))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(wildcard tests/unit/*.c)
INTEG_SRC:= $(wildcard tests/integration/*.c)
TRACE_TEST_SRC := $(wildcard tests/trace/*.c)
GUEST_SRC:= $(wildcard tests/guests/*.c)
BENCH_SRC:= $(wildcard tests/bench/*.c)
GUESTS   := $(GUEST_SRC:tests/guests/%.c=$(BUILD)/guests/%)
BENCHES  := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)

.PHONY: all deps check demo bench install clean compat unit integration trace-tests
all: $(BUILD)/persona $(GUESTS) $(BENCHES) docs/compat.md

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/libpersona.a: $(LIB_OBJ)
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

$(BUILD)/bench/%: tests/bench/%.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -D_GNU_SOURCE -o $@ $< -lpthread

# docs/compat.md is generated from the one syscall table.
docs/compat.md: $(BUILD)/persona
	$(BUILD)/persona compat > $@.tmp && mv $@.tmp $@

deps:
	@sh tools/install-deps.sh

unit: $(BUILD)/unit-tests
	$(BUILD)/unit-tests

trace-tests: $(BUILD)/trace-tests
	$(BUILD)/trace-tests

integration: $(BUILD)/persona $(GUESTS) $(BUILD)/integration-tests
	PERSONA=$(BUILD)/persona GUESTS=$(BUILD)/guests $(BUILD)/integration-tests

check: deps
	$(MAKE) all $(BUILD)/unit-tests $(BUILD)/integration-tests $(BUILD)/trace-tests
	$(BUILD)/unit-tests
	$(BUILD)/trace-tests
	PERSONA=$(BUILD)/persona GUESTS=$(BUILD)/guests $(BUILD)/integration-tests

demo: deps
	$(MAKE) $(BUILD)/persona
	$(BUILD)/persona run -- sh -c 'echo "hello from pid $$$$ under Persona"; ls -l / | head -5; ps -e'

bench: deps
	$(MAKE) $(BUILD)/persona $(BENCHES)
	PERSONA=$(BUILD)/persona BENCH=$(BUILD)/bench sh tests/bench/run.sh

install: $(BUILD)/persona
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include/persona/core $(DESTDIR)$(PREFIX)/share/doc/persona
	install -m 755 $(BUILD)/persona $(DESTDIR)$(PREFIX)/bin/persona
	install -m 644 core/*.h $(DESTDIR)$(PREFIX)/include/persona/core/
	install -m 644 README.md docs/*.md $(DESTDIR)$(PREFIX)/share/doc/persona/

clean:
	rm -rf build build-san

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
