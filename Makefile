# cgprov top-level build. `make help` lists the targets.
.DELETE_ON_ERROR:
.DEFAULT_GOAL := build

BUILD      := build
CXX        ?= g++
CLANG      ?= clang-19
BPFTOOL    ?= bpftool
CLANG_FMT  ?= clang-format-19
KERNEL_FLAVOR ?= default

CXXFLAGS   ?= -O2 -g
CXXFLAGS   += -std=c++20 -Wall -Wextra -Werror -I$(BUILD) -Iloader -Ibpf
LDLIBS     := -lbpf -lelf -lz
# The installed binary carries libbpf 1.4 (bookworm-backports) inside it, so
# that it runs where the system's libbpf1 is older (bookworm's 1.1).
CGPROV_LDLIBS := -l:libbpf.a -lelf -lz

# The release, written once: in debian/changelog.
VERSION    := $(shell dpkg-parsechangelog -l debian/changelog -S Version)
DEB_ARCH   := $(shell dpkg --print-architecture)
DEB        := $(BUILD)/deb/cgprov_$(VERSION)_$(DEB_ARCH).deb

ifeq ($(V),1)
Q :=
msg =
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

ARCH       := x86
BPF_HDRS   := bpf/vmlinux.h $(filter-out bpf/vmlinux.h,$(wildcard bpf/*.h))
BPF_CFLAGS := -g -O2 -Wall -Werror -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Ibpf -Itests/bpf

LOADER_LIB_SRCS := $(filter-out loader/main.cpp,$(wildcard loader/*.cpp))
LOADER_LIB_OBJS := $(LOADER_LIB_SRCS:loader/%.cpp=$(BUILD)/loader/%.o)
UNIT_SRCS       := $(wildcard tests/unit/*.cpp)
UNIT_OBJS       := $(UNIT_SRCS:tests/unit/%.cpp=$(BUILD)/tests/unit/%.o)
VMTEST_SRCS     := $(wildcard tests/integration/*.cpp)
VMTEST_OBJS     := $(VMTEST_SRCS:tests/integration/%.cpp=$(BUILD)/tests/integration/%.o)
# BPF objects: the product's in bpf/, test-only ones in tests/bpf/; each
# NAME.bpf.c gives $(BUILD)/NAME.skel.h with `struct NAME_bpf`.
BPF_SRCS        := $(wildcard bpf/*.bpf.c tests/bpf/*.bpf.c)
BPF_SKELS       := $(foreach s,$(BPF_SRCS),$(BUILD)/$(notdir $(s:.bpf.c=.skel.h)))

PREFIX     ?= /usr/local
SBINDIR    := $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
SYSTEMD_DIR ?= /etc/systemd/system
TMPFILES_DIR ?= /etc/tmpfiles.d
SYSUSERS_DIR ?= /etc/sysusers.d
UNITS      := cgprov.service cgprov-export.service cgprov-export.timer \
	cgprov-export-http.socket cgprov-export-http@.service

.PHONY: help deps kernel kernel-debug kernel-deb build program deb test test-unit test-vm \
	test-stock test-systemd systemd-rootfs demo format check-series install bench clean

help:
	@echo "make deps         install Debian packages and virtme-ng (idempotent)"
	@echo "make kernel       build (or reuse) the patched 6.12 kernel; prints the image path"
	@echo "make kernel-deb   the patched kernel as a linux-image .deb (cached); prints its path"
	@echo "make build        bpf/vmlinux.h, the cgprov loader and the unit tests"
	@echo "make program      the cgprov binary and its manual page (what 'make install' installs)"
	@echo "make deb          the cgprov package: $(DEB)"
	@echo "make test         deps + kernel + build + packages, unit and package tests on the host,"
	@echo "                  VM suites, the systemd suite"
	@echo "make test-systemd the systemd suite alone (Debian, systemd as PID 1, cgprov's package)"
	@echo "make demo         deps + kernel + build, then show cgprov in a VM"
	@echo "make bench        side-by-side costs of cgprov in a VM, printed as ratios"
	@echo "make format       clang-format the C and C++ sources"
	@echo "make check-series checkpatch --strict every kernel patch and build after each one"
	@echo "make install      install cgprov, its boot-time unit and the export units (PREFIX=$(PREFIX))"
	@echo "KERNEL_FLAVOR=debug selects the PROVE_LOCKING kernel; V=1 shows commands"

deps:
	$(Q)scripts/deps.sh

kernel:
	$(Q)scripts/build-kernel.sh --flavor $(KERNEL_FLAVOR)

kernel-debug:
	$(Q)scripts/build-kernel.sh --flavor debug

kernel-deb:
	$(Q)scripts/build-kernel.sh --flavor $(KERNEL_FLAVOR) --deb

# vmlinux.h always comes from the BTF of the kernel built from this series;
# VMLINUX_BTF overrides it (for example /sys/kernel/btf/vmlinux).
VMLINUX_BTF ?= $(shell scripts/build-kernel.sh --flavor $(KERNEL_FLAVOR) --print-dir --cached 2>/dev/null)/vmlinux.btf

bpf/vmlinux.h: $(VMLINUX_BTF)
	@test -s "$<" || { echo "no kernel BTF at '$<': run 'make kernel' or set VMLINUX_BTF" >&2; exit 1; }
	$(call msg,GEN,$@)
	$(Q)$(BPFTOOL) btf dump file $< format c > $@

build: bpf/vmlinux.h $(BPF_SKELS) program $(BUILD)/cgprov-unit-tests \
	$(BUILD)/cgprov-vm-tests $(BUILD)/cgprov-bench $(BUILD)/cgprov-pin-daemon $(BUILD)/v1/cgprov $(BUILD)/legacy/cgprov \
	$(BUILD)/v2/cgprov

program: $(BUILD)/cgprov $(BUILD)/cgprov.8

$(BUILD)/%.bpf.o: bpf/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -MF $@.d -MT $@ -c $(filter %.bpf.c,$^) -o $@.tmp
	$(Q)$(BPFTOOL) gen object $@ $@.tmp && rm -f $@.tmp

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@

$(foreach s,$(BPF_SRCS),$(eval $(BUILD)/$(notdir $(s:.bpf.c=.bpf.o)): $(s)))

# Objects depend on the headers they include (-MMD -MP: $(BUILD)/**/*.d),
# skeletons included; the skeletons exist before the first compile.
$(BUILD)/loader/%.o: loader/%.cpp | $(BPF_SKELS)
	$(call msg,CXX,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CXX) $(CPPFLAGS) $(CXXFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/loader/version.o: CPPFLAGS += -DCGPROV_VERSION='"$(VERSION)"'
$(BUILD)/loader/version.o: debian/changelog

$(BUILD)/cgprov: $(BUILD)/loader/main.o $(LOADER_LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CXX) $(CXXFLAGS) $(LDFLAGS) $^ $(CGPROV_LDLIBS) -o $@

$(BUILD)/cgprov.8: loader/cgprov.8.scd
	$(call msg,SCDOC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)scdoc < $< > $@

$(BUILD)/tests/unit/%.o: tests/unit/%.cpp | $(BPF_SKELS)
	$(call msg,CXX,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CXX) $(CXXFLAGS) -MMD -MP -DCGPROV_SOURCE_DIR='"$(CURDIR)"' -c $< -o $@

$(BUILD)/cgprov-unit-tests: $(UNIT_OBJS) $(LOADER_LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CXX) $(CXXFLAGS) $^ -lCatch2Main -lCatch2 $(LDLIBS) -o $@

$(BUILD)/tests/integration/%.o: tests/integration/%.cpp | $(BPF_SKELS)
	$(call msg,CXX,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CXX) $(CXXFLAGS) -MMD -MP -Itests/integration -Itests/bpf -c $< -o $@

# In-VM tests: run by tests/vm/*/ scripts inside the guest, never on the host.
$(BUILD)/cgprov-vm-tests: $(VMTEST_OBJS) $(LOADER_LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CXX) $(CXXFLAGS) $^ -lCatch2Main -lCatch2 $(LDLIBS) -lcap -lmnl -o $@

# Earlier releases, each built from its commit with this kernel's BTF: the
# provision suite upgrades from them. v1: cgprov 0.1, the first stats
# layout (carry-over of totals); legacy: the last release that kept its tree
# in the system's bpffs, /sys/fs/bpf/cgprov (the move to cgprov's own
# instance); v2: the last release of the second stats layout (pending
# counters in each cgroup's storage), at /run/cgprov.
CGPROV_REV_v1 := 69d868e
CGPROV_REV_legacy := 0d12dac
CGPROV_REV_v2 := 4e4d0bf
$(BUILD)/v1/cgprov $(BUILD)/legacy/cgprov $(BUILD)/v2/cgprov: $(BUILD)/%/cgprov: bpf/vmlinux.h
	$(call msg,BUILD,$@ (cgprov $*, $(CGPROV_REV_$*)))
	$(Q)rm -rf $(BUILD)/$* && mkdir -p $(BUILD)/$*/src
	$(Q)git -C $(CURDIR) archive $(CGPROV_REV_$*) | tar -x -C $(BUILD)/$*/src
	$(Q)$(MAKE) --no-print-directory -s -C $(BUILD)/$*/src VMLINUX_BTF=$(abspath $(VMLINUX_BTF)) \
		build/cgprov >/dev/null
	$(Q)cp $(BUILD)/$*/src/build/cgprov $@

# The README's test command: installs, builds, runs everything, and ends with
# one line `N passed, N failed, N skipped`.
test: deps
	$(Q)$(MAKE) --no-print-directory kernel
	$(Q)$(MAKE) --no-print-directory build
	$(Q)$(MAKE) --no-print-directory deb kernel-deb systemd-rootfs
	$(Q)scripts/test.sh

test-unit: build
	$(Q)scripts/test.sh --unit --host

test-vm: build
	$(Q)scripts/test.sh --vm

test-stock: build
	$(Q)scripts/test.sh --stock

# The systemd suite boots the packages, not build/: cgprov's (make deb) and
# the kernel's (make kernel-deb), on a cached Debian root filesystem.
test-systemd: deb kernel-deb systemd-rootfs
	$(Q)scripts/test.sh --systemd

systemd-rootfs:
	$(Q)scripts/systemd-rootfs.sh >/dev/null

demo: deps
	$(Q)$(MAKE) --no-print-directory kernel
	$(Q)$(MAKE) --no-print-directory build
	$(Q)scripts/demo.sh

check-series:
	$(Q)scripts/check-series.sh --build

# DESTDIR stages the install (the package's debian/rules does); the units
# run the binary where this install puts it.
install: $(BUILD)/cgprov $(BUILD)/cgprov.8
	$(Q)install -D -m 0755 $(BUILD)/cgprov $(DESTDIR)$(SBINDIR)/cgprov
	$(Q)install -D -m 0644 $(BUILD)/cgprov.8 $(DESTDIR)$(MANDIR)/man8/cgprov.8
	$(Q)for unit in $(UNITS); do \
		sed -E 's|/usr(/local)?/sbin/cgprov|$(SBINDIR)/cgprov|g' scripts/systemd/$$unit | \
			install -D -m 0644 /dev/stdin $(DESTDIR)$(SYSTEMD_DIR)/$$unit || exit 1; \
	done
	$(Q)install -D -m 0644 scripts/systemd/cgprov-export.tmpfiles \
		$(DESTDIR)$(TMPFILES_DIR)/cgprov-export.conf
	$(Q)install -D -m 0644 scripts/systemd/cgprov-export.sysusers \
		$(DESTDIR)$(SYSUSERS_DIR)/cgprov-export.conf
	$(Q)install -D -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/cgprov/README.md
	$(Q)install -D -m 0644 -t $(DESTDIR)$(PREFIX)/share/doc/cgprov/docs docs/design.md docs/testing.md
	$(Q)install -D -m 0644 loader/cgprov.bash-completion \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/cgprov
	$(Q)test -e $(DESTDIR)/etc/cgprov/policy.toml || \
		install -D -m 0644 loader/policy.toml $(DESTDIR)/etc/cgprov/policy.toml

# The Debian package, built from a copy of the tree (scripts/build-deb.sh).
DEB_INPUTS := Makefile README.md docs/design.md docs/testing.md scripts/build-deb.sh $(wildcard debian/* debian/source/* \
	loader/* bpf/*.bpf.c scripts/systemd/*) $(BPF_HDRS)
deb: $(DEB)
$(DEB): $(DEB_INPUTS) $(VMLINUX_BTF)
	$(Q)scripts/build-deb.sh $(abspath $(VMLINUX_BTF))

$(BUILD)/cgprov-bench: tests/bench/cgroup_bench.cpp loader/unique_fd.hpp
	$(call msg,CXX,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CXX) $(CXXFLAGS) $< -o $@

# The privileged-daemon design cgprov replaces, as a benchmark baseline.
$(BUILD)/cgprov-pin-daemon: tests/bench/pin_daemon.cpp loader/unique_fd.hpp
	$(call msg,CXX,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CXX) $(CXXFLAGS) $< -o $@ $(LDLIBS)

# Side-by-side measurements in one VM run; prints ratios.
bench: deps
	$(Q)$(MAKE) --no-print-directory kernel
	$(Q)$(MAKE) --no-print-directory build
	$(Q)scripts/bench.sh

format:
	$(Q)$(CLANG_FMT) -i $(wildcard loader/*.cpp loader/*.hpp tests/unit/*.cpp tests/integration/*.cpp \
		tests/integration/*.hpp tests/bench/*.cpp bpf/*.bpf.c tests/bpf/*.bpf.c) $(filter-out bpf/vmlinux.h,$(wildcard bpf/*.h))

clean:
	$(Q)rm -rf $(BUILD) bpf/vmlinux.h

-include $(wildcard $(BUILD)/*.bpf.o.d $(BUILD)/loader/*.d $(BUILD)/tests/unit/*.d \
	$(BUILD)/tests/integration/*.d)
