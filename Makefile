# Makefile - a thin wrapper over Meson/Ninja for the commands in README.md.
#   make demo    install missing packages (as root), build, analyze the sample, write the report
#   make check   install, build twice (release and ASan+UBSan) and run the tests, then a fuzz smoke run
#   make bench   the benchmark (bench/RESULTS.md)      make fuzz   libFuzzer campaigns
#   make golden-update   rewrite the expected golden files after a deliberate change
BUILD ?= build
SAN ?= build-asan
FUZZ ?= build-fuzz
FUZZ_SECONDS ?= 60
# advisories the demo imports (CSAF, CISA KEV, EPSS files or folders); the shared set if present
ADVISORIES ?= $(wildcard ../shared/vulndata/csaf ../shared/vulndata/kev ../shared/vulndata/epss)
MESON_TEST = meson test --print-errorlogs --num-processes 2
# under ASan+UBSan: every suite that feeds otscope hostile or odd input; the slow end-to-end
# suites (real peers, PostgreSQL, advisory cases; their parsers are fuzzed) run in the release build only
SAN_SUITES ?= unit golden corpus cli register nis2 alerts siem live web report

.PHONY: all demo check test test-asan fuzz fuzz-smoke bench golden-update clean deps

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD)/build.ninja:
	tools/install-deps.sh build
	meson setup $(BUILD) --buildtype=release -Db_ndebug=false

$(SAN)/build.ninja:
	meson setup $(SAN) --buildtype=debug -Doptimization=1 -Db_sanitize=address,undefined \
	    -Db_lundef=false

demo:
	tools/install-deps.sh build
	$(MAKE) all
	./$(BUILD)/otscope demo $(addprefix --advisories ,$(ADVISORIES))

check:
	tools/install-deps.sh check
	$(MAKE) all
	$(MESON_TEST) -C $(BUILD)
	$(MAKE) test-asan
	$(MAKE) fuzz-smoke

test-asan: $(SAN)/build.ninja
	ninja -C $(SAN)
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
	    LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	    $(MESON_TEST) -C $(SAN) $(addprefix --suite ,$(SAN_SUITES))

$(FUZZ)/build.ninja:
	CC=clang meson setup $(FUZZ) --buildtype=debug -Doptimization=1 -Dfuzz=true \
	    -Db_sanitize=address,undefined -Db_lundef=false

fuzz-smoke: $(FUZZ)/build.ninja
	tools/install-deps.sh fuzz
	ninja -C $(FUZZ)
	tests/fuzz/run.sh $(FUZZ) 5

fuzz: $(FUZZ)/build.ninja
	tools/install-deps.sh fuzz
	ninja -C $(FUZZ)
	tests/fuzz/run.sh $(FUZZ) $(FUZZ_SECONDS)

bench:
	tools/install-deps.sh bench
	$(MAKE) all
	bench/run.sh $(BUILD)

golden-update: all
	./$(BUILD)/plantgen -o data/sample/plant.pcap --plant
	GOLDEN_UPDATE=1 tests/golden/run.sh $(BUILD)/otscope $(BUILD)/plantgen
	GOLDEN_UPDATE=1 tests/report/run.sh $(BUILD)/otscope

clean:
	rm -rf $(BUILD) $(SAN) $(FUZZ)
