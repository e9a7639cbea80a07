# tests/bench/workloads.sh - whole workloads (issue 9): sourced by run.sh, which
# shellcheck shell=sh disable=SC2016,SC2034  # literal $ in the sh loop; variables used by run.sh
# provides PERSONA, BENCH, TMP, TIMEOUT, STRACE, PROOT, BENCH_ROUNDS and the helpers
# out, median, ratio and check. Run it alone with `BENCH_ONLY=workloads make bench`.
#
# Each workload is one command, timed from fork to wait by build/bench/walltime with
# its stdout discarded, natively, under `persona run` (--trap=ptrace), under
# `persona run --trap=shim`, under PRoot and under strace -f, interleaved in
# BENCH_ROUNDS rounds as the rest of run.sh; the table is the median ms per mode.
# Issue 9's targets, on each workload: within 1.5x native, faster than PRoot and
# faster than strace -f.
#
# Before the rounds, a check pass runs each workload natively, under persona and
# under --trap=shim with its output kept: a non-zero exit or an output different from
# native's is reported (and makes run.sh exit 1); that mode is then not timed. The
# pass also warms the page cache, so that no mode pays for the first read of the trees.
#
# Environment (besides run.sh's):
#   WL_PYTHON  the interpreter for `python3 -c pass` (default /usr/bin/python3: a pyenv
#              shim first on PATH would time bash and pyenv, not python)
#   WL_LSDIR   the tree for `ls -lR` (default /usr/lib/python3, ~3300 entries: the whole
#              of /usr/lib, ~78k entries, took 12 s under persona and 25 s under strace
#              on the 2-vCPU VM, more than the section's budget of ~2 minutes)

WL_PYTHON=${WL_PYTHON:-/usr/bin/python3}
[ -x "$WL_PYTHON" ] || WL_PYTHON=$(command -v python3 2>/dev/null)
WL_LSDIR=${WL_LSDIR:-/usr/lib/python3}
WL_SRC=$(dirname "$0")/walltime.c	# the C file gcc compiles: 70 lines, 7 system headers

WORKLOADS='
forks   sh loop of 300 forks: i=0; while [ $i -lt 300 ]; do (:); i=$((i+1)); done
gcc     gcc -O2 -c of a 70-line C file (tests/bench/walltime.c), object to /dev/null
python  python3 -c pass
tar     tar cf /dev/null /usr/include (GNU tar: stats and opens, does not read data)
ls      ls -lR of a subtree of /usr/lib
'
WL_MODES='native persona shim proot strace'

# wl_tool NAME: the program the workload needs, for the missing-tool check
wl_tool() {
	case $1 in
	forks) echo sh ;; gcc) echo gcc ;; python) echo "${WL_PYTHON:-python3}" ;;
	tar) echo tar ;; ls) echo ls ;;
	esac
}

# wl_run MODE NAME OUTFILE OBJ: runs workload NAME under MODE with stdout to OUTFILE
# (gcc's object to OBJ); prints the wall time in ns. Fails with the command's exit
# status, its stderr left in $TMP/wl.err.
wl_run() {
	wmode=$1 wname=$2 wout=$3 wobj=$4
	case $wname in
	forks)  set -- sh -c 'i=0; while [ $i -lt 300 ]; do (:); i=$((i + 1)); done' ;;
	gcc)    set -- gcc -O2 -D_GNU_SOURCE -c -o "$wobj" "$WL_SRC" ;;
	python) set -- "$WL_PYTHON" -c pass ;;
	tar)    set -- tar cf /dev/null /usr/include ;;
	ls)     set -- ls -lR "$WL_LSDIR" ;;
	esac
	# shellcheck disable=SC2086
	case $wmode in
	native)  ;;
	persona) set -- "$PERSONA" run --trap=ptrace -- "$@" ;;
	shim)    set -- "$PERSONA" run --trap=shim -- "$@" ;;
	proot)   set -- $PROOT "$@" ;;	# a command line: split on purpose
	strace)  set -- $STRACE "$@" ;;	# a command line: split on purpose
	esac
	$TIMEOUT "$BENCH/walltime" "$wout" "$@" >"$TMP/wl.t" 2>"$TMP/wl.err" || return
	awk '$1 == "walltime" { print $2 }' "$TMP/wl.t"
}

# wl_skip NAME MODE WHY: mark MODE of workload NAME as not timed, and say why
wl_skip() {
	echo "$1 $2" >>"$TMP/wl.skip"
	out "  $1 under $2: $3"
}
wl_skipped() { grep -qx "$1 $2" "$TMP/wl.skip"; }

# wl_check NAME: the check pass for one workload (see the header); 0 if all agreed
wl_check() {
	wok=0
	for m in native persona shim; do
		wl_run "$m" "$1" "$TMP/wl-$1-$m.out" "$TMP/wl-$1-$m.o" >/dev/null
		rc=$?
		if [ "$rc" -ne 0 ]; then
			wl_skip "$1" "$m" "FAILED (exit $rc): $(head -c 300 "$TMP/wl.err" | tr '\n' ' ')"
			failed=1 wok=1
			continue
		fi
		[ "$m" = native ] && continue
		wl_skipped "$1" native && continue
		if ! cmp -s "$TMP/wl-$1-native.out" "$TMP/wl-$1-$m.out"; then
			out "  $1 under $m: OUTPUT DIFFERS from native (timed anyway):"
			diff "$TMP/wl-$1-native.out" "$TMP/wl-$1-$m.out" | head -n 6 | sed 's/^/    /' | tee -a "$TMP/report"
			failed=1 wok=1
		elif [ "$1" = gcc ] && ! cmp -s "$TMP/wl-gcc-native.o" "$TMP/wl-gcc-$m.o"; then
			out "  gcc under $m: OBJECT FILE DIFFERS from native's (timed anyway)"
			failed=1 wok=1
		fi
	done
	return $wok
}

# wl_measure NAME: BENCH_ROUNDS interleaved rounds of every mode; appends
# "NAME native persona shim proot strace" (median ns, n/a if not run) to $TMP/values
wl_measure() {
	v_native='' v_persona='' v_shim='' v_proot='' v_strace=''
	r=0
	while [ "$r" -lt "$BENCH_ROUNDS" ]; do
		r=$((r + 1))
		for m in $WL_MODES; do
			wl_skipped "$1" "$m" && continue
			if v=$(wl_run "$m" "$1" /dev/null /dev/null); then
				eval "v_$m=\"\$v_$m \$v\""
			else
				wl_skip "$1" "$m" "FAILED in round $r (exit $?): $(head -c 300 "$TMP/wl.err" | tr '\n' ' ')"
				[ "$m" = proot ] || [ "$m" = strace ] || failed=1
				eval "v_$m=''"
			fi
		done
	done
	line=$1
	for m in $WL_MODES; do
		eval "vs=\$v_$m"
		# shellcheck disable=SC2086
		if [ -n "$vs" ] && ! wl_skipped "$1" "$m"; then line="$line $(median $vs)"; else line="$line n/a"; fi
	done
	echo "$line" >>"$TMP/values"
	echo "== workload $1: native$v_native | persona$v_persona | shim$v_shim | proot${v_proot:- n/a} | strace${v_strace:- n/a}" >>"$TMP/raw"
}

ms() { awk -v v="$1" 'BEGIN { if (v == "n/a" || v == "") print "n/a"; else printf "%.1f", v / 1e6 }'; }
wl_row() { printf '%-7s %9s %9s %9s %9s %9s %6s %6s %7s %7s %7s %7s' "$@"; }

# wl_section: the whole section, called by run.sh
wl_section() {
	out ""
	out "whole workloads (issue 9): ms per run, median of $BENCH_ROUNDS interleaved rounds (native, persona, shim, proot, strace)"
	out "  persona = persona run (--trap=ptrace); shim = persona run --trap=shim; proot = ${PROOT:-not run}; strace = ${STRACE:-not run}"
	out "  python = $WL_PYTHON; ls -lR of $WL_LSDIR ($(find "$WL_LSDIR" 2>/dev/null | wc -l) entries)"
	: >"$TMP/wl.skip"
	[ -n "$PROOT" ] || for n in forks gcc python tar ls; do echo "$n proot" >>"$TMP/wl.skip"; done
	[ -n "$STRACE" ] || for n in forks gcc python tar ls; do echo "$n strace" >>"$TMP/wl.skip"; done
	names=''
	for n in $(echo "$WORKLOADS" | awk 'NF { print $1 }'); do
		t=$(wl_tool "$n")
		if [ -z "$t" ] || ! command -v "$t" >/dev/null 2>&1; then
			out "  $n skipped: ${t:-its program} not found"
			continue
		fi
		names="$names $n"
	done
	echo "$WORKLOADS" | awk 'NF' | sed 's/^/  /' | tee -a "$TMP/report"
	agreed=''
	for n in $names; do wl_check "$n" && agreed="$agreed $n"; done
	out "  check pass: exit 0 and stdout identical to native's under persona and shim (gcc: same object):${agreed:- none}"
	for n in $names; do wl_measure "$n"; done
	out ""
	out "$(wl_row workload native persona shim proot strace p/nat s/nat p/proot s/proot p/str s/str)"
	for n in $names; do
		# shellcheck disable=SC2046
		set -- $(awk -v n="$n" '$1 == n { print $2, $3, $4, $5, $6 }' "$TMP/values")
		out "$(wl_row "$n" "$(ms "$1")" "$(ms "$2")" "$(ms "$3")" "$(ms "$4")" "$(ms "$5")" \
			"$(ratio "$2" "$1")" "$(ratio "$3" "$1")" "$(ratio "$2" "$4")" "$(ratio "$3" "$4")" \
			"$(ratio "$2" "$5")" "$(ratio "$3" "$5")")"
	done
	out "Targets, whole workloads (informational; issue 9: within 1.5x native, faster than PRoot and strace -f):"
	for n in $names; do
		# shellcheck disable=SC2046
		set -- $(awk -v n="$n" '$1 == n { print $2, $3, $4, $5, $6 }' "$TMP/values")
		check "$n persona/native" "$(ratio "$2" "$1")" 1.5
		check "$n shim/native" "$(ratio "$3" "$1")" 1.5
		check "$n persona/proot" "$(ratio "$2" "$4")" 1.0
		check "$n shim/proot" "$(ratio "$3" "$4")" 1.0
		check "$n persona/strace" "$(ratio "$2" "$5")" 1.0
		check "$n shim/strace" "$(ratio "$3" "$5")" 1.0
	done
}
