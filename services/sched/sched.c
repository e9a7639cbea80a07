/* services/sched/sched.c - the scheduler core: virtual CPUs, the task state machine,
 * and the plugin's callbacks (see sched.h; the ptrace side of holding, releasing and
 * preempting guests is in sched_host.c).
 *
 * The core keeps Linux's split between the scheduler core (kernel/sched/core.c:
 * __schedule, try_to_wake_up, scheduler_tick) and the scheduling class
 * (struct sched_class): the plugin decides, the core acts and checks. Every answer of
 * the plugin is validated before it is acted on: a plugin that returns a task that is
 * not queued, or lets a CPU idle while a task waits for seconds, is replaced by the
 * safe plugin (rr), like sched_ext's watchdog ejects a misbehaving BPF scheduler. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "services/sched/sched.h"
#include "services/sched/sched_internal.h"
#include "core/task.h"
#include "core/log.h"

struct sched_core sc;

uint64_t sched_clock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

bool sched_active(void) { return sc.active; }
unsigned sched_ncpus(void) { return sc.active ? sc.ncpus : 1; }
const char *sched_plugin_name(void) { return sc.ops ? sc.ops->name : "none"; }
struct persona_sched *sched_instance(void) { return &sc.inst; }
const struct persona_sched_ops *sched_ops(void) { return sc.ops; }
struct sched_entity *sched_entity_of(const struct task *t) { return t ? t->se : NULL; }
const struct sched_cpu *sched_cpu_info(unsigned cpu) { return cpu < sc.ncpus ? &sc.cpu[cpu] : NULL; }

struct sched_entity *se_of(struct persona_sched_task *pt)
{
	return pt ? (struct sched_entity *)((char *)pt - offsetof(struct sched_entity, pt)) : NULL;
}

/* Whether pt is one of ours: a plugin's answer is checked before it is dereferenced */
static struct sched_entity *se_lookup(struct persona_sched_task *pt)
{
	for (struct sched_entity *se = sc.all; se; se = se->next_all)
		if (&se->pt == pt) return se;
	return NULL;
}

/* ---- services the core offers plugins ---- */

static struct persona_sched_task *svc_curr(struct persona_sched *s, unsigned cpu)
{
	return cpu < sc.ncpus && sc.cpu[cpu].curr ? &sc.cpu[cpu].curr->pt : NULL;
}

/* A plugin may ask for a reschedule from inside a callback: acted on afterwards
 * (sched_flush), never re-entering the plugin. */
static void svc_resched(struct persona_sched *s, unsigned cpu)
{
	if (cpu < sc.ncpus) sc.resched_mask |= 1ull << cpu;
}

static void svc_log(struct persona_sched *s, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	if (!(log_debug_mask & DBG_SCHED)) return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	DBG(DBG_SCHED, "%s: %s", sc.ops->name, buf);
}

static void inst_reset(void)
{
	memset(&sc.inst, 0, sizeof sc.inst);
	sc.inst.nr_cpus = sc.ncpus;
	sc.inst.hz = sc.hz;
	sc.inst.curr = svc_curr;
	sc.inst.resched = svc_resched;
	sc.inst.log = svc_log;
	sc.inst.now = sched_clock();
}

/* ---- plugin calls with the ABI's defaults ---- */

static uint64_t idle_mask(void)
{
	uint64_t m = 0;
	for (unsigned c = 0; c < sc.ncpus; c++)
		if (!sc.cpu[c].curr) m |= 1ull << c;
	return m;
}

static uint64_t online_mask(void)
{
	return sc.ncpus >= 64 ? ~0ull : (1ull << sc.ncpus) - 1;
}

static unsigned select_cpu(struct sched_entity *se)
{
	uint64_t allowed = se->pt.cpus_allowed & online_mask(), idle = idle_mask();
	unsigned prev = se->pt.cpu < sc.ncpus ? se->pt.cpu : 0;
	if (!allowed) allowed = online_mask();
	if (sc.ops->select_cpu) {
		int c = sc.ops->select_cpu(&sc.inst, &se->pt, prev, idle);
		if (c >= 0 && (unsigned)c < sc.ncpus && (allowed >> c & 1)) return (unsigned)c;
	}
	if ((idle & allowed) >> prev & 1) return prev;
	if (idle & allowed) return (unsigned)__builtin_ctzll(idle & allowed);
	if (allowed >> prev & 1) return prev;
	return (unsigned)__builtin_ctzll(allowed);
}

static void se_enqueue(struct sched_entity *se, unsigned flags)
{
	se->state = SE_QUEUED;
	se->wait_start = sc.inst.now;
	se->pt.last_enqueued = sc.inst.now;
	sc.nr_queued++;
	sc.ops->enqueue(&sc.inst, &se->pt, flags);
}

static void wait_end(struct sched_entity *se)
{
	if (!se->wait_start) return;
	uint64_t w = sc.inst.now > se->wait_start ? sc.inst.now - se->wait_start : 0;
	se->wait_sum += w;
	if (w > se->wait_max) se->wait_max = w;
	se->wait_start = 0;
}

void se_dequeue(struct sched_entity *se, unsigned flags)
{
	sc.ops->dequeue(&sc.inst, &se->pt, flags);
	sc.nr_queued--;
	wait_end(se);
	se->state = SE_OFF;
}

/* A queued task whose CPU its affinity no longer allows joins another CPU's queue */
static void se_replace(struct sched_entity *se)
{
	se_dequeue(se, PERSONA_DEQ_MOVE);
	se->pt.cpu = select_cpu(se);
	se_enqueue(se, PERSONA_ENQ_MOVE);
}

/* The running task leaves its CPU. flags: PERSONA_PUT_*. */
static void cpu_put(unsigned c, unsigned flags)
{
	struct sched_cpu *cpu = &sc.cpu[c];
	struct sched_entity *se = cpu->curr;
	sched_host_account(se);
	DBG(DBG_SCHED, "%.6f cpu %u: %d leaves (%#x)", (sc.inst.now - sc.start_ns) / 1e9, c, se->pt.tid, flags);
	sched_trace_slice(c, &se->pt, se->run_start, sc.inst.now,
			  flags & PERSONA_PUT_PREEMPT ? "preempt" : flags & PERSONA_PUT_YIELD ? "yield" :
			  flags & PERSONA_PUT_DEAD ? "exit" : "block");
	if (flags & PERSONA_PUT_PREEMPT) se->nr_involuntary++;
	else se->nr_voluntary++;
	cpu->curr = NULL;
	cpu->need_resched = false;
	cpu->nr_switches++;
	if (flags & PERSONA_PUT_RUNNABLE) {
		se->state = SE_QUEUED;
		se->wait_start = sc.inst.now;
		se->pt.last_enqueued = sc.inst.now;
		sc.nr_queued++;
		if (sc.ops->put_prev) sc.ops->put_prev(&sc.inst, &se->pt, c, flags);
		else sc.ops->enqueue(&sc.inst, &se->pt, 0);
		if (!(se->pt.cpus_allowed >> c & 1)) se_replace(se);	/* its affinity changed */
	} else {
		se->state = SE_OFF;
		if (sc.ops->put_prev) sc.ops->put_prev(&sc.inst, &se->pt, c, flags);
	}
	if (!cpu->idle_since) cpu->idle_since = sc.inst.now;
}

/* `se`, queued and picked, runs on c */
static void cpu_run(unsigned c, struct sched_entity *se)
{
	struct sched_cpu *cpu = &sc.cpu[c];
	wait_end(se);
	sc.nr_queued--;
	se->state = SE_RUNNING;
	if (se->pt.cpu != c) se->nr_migrations++;
	se->pt.cpu = c;
	se->pt.slice_exec = 0;
	se->nr_runs++;
	se->run_start = sc.inst.now;
	cpu->curr = se;
	cpu->idle_since = 0;
	DBG(DBG_SCHED, "%.6f cpu %u: %d runs%s", (sc.inst.now - sc.start_ns) / 1e9, c, se->pt.tid,
	    se->held ? " (was held)" : "");
	sched_host_run(se, c);	/* the host side: pin, baseline runtime, release if held */
}

static void plugin_failed(const char *why);

/* Picks for an idle CPU; the plugin's answer is checked first. */
static void cpu_schedule(unsigned c)
{
	if (sc.cpu[c].curr || sc.failing) return;
	struct persona_sched_task *pt = sc.ops->pick_next(&sc.inst, c);
	if (!pt) return;
	struct sched_entity *se = se_lookup(pt);
	char why[256];
	if (!se || se->state != SE_QUEUED) {
		snprintf(why, sizeof why, "pick_next(cpu %u) returned %s", c,
			 se ? "a task that is not queued" : "a pointer that is no task");
		plugin_failed(why);
		return;
	}
	if (!((se->pt.cpus_allowed & online_mask()) >> c & 1) && (se->pt.cpus_allowed & online_mask())) {
		snprintf(why, sizeof why, "pick_next(cpu %u) returned task %d, not allowed there", c, se->pt.tid);
		plugin_failed(why);
		return;
	}
	cpu_run(c, se);
}

/* Idle CPUs pick; reschedules the plugin asked for are acted on. Called at the end of
 * every entry point, never from inside a plugin callback. */
void sched_flush(void)
{
	for (int round = 0; round < 4; round++) {
		uint64_t m = sc.resched_mask;
		sc.resched_mask = 0;
		for (unsigned c = 0; c < sc.ncpus; c++) {
			if (sc.cpu[c].curr) {
				if (m >> c & 1) sched_host_preempt(c);
			} else if (sc.nr_queued) {
				cpu_schedule(c);
			}
		}
		if (!sc.resched_mask) break;
	}
}

/* ---- transitions ---- */

/* off → queued (Linux's try_to_wake_up / wake_up_new_task) */
void se_wake(struct sched_entity *se, unsigned flags)
{
	if (se->state != SE_OFF || se->off == OFF_DEAD) return;
	sched_host_unwatch(se);
	sc.inst.now = sched_clock();
	unsigned c = select_cpu(se);
	se->pt.cpu = c;
	se->nr_wakeups++;
	se_enqueue(se, flags);
	sched_trace_instant(c, flags & PERSONA_ENQ_NEW ? "new" : "wakeup", &se->pt, sc.inst.now);
	DBG(DBG_SCHED, "%.6f %s %d on cpu %u", (sc.inst.now - sc.start_ns) / 1e9,
	    flags & PERSONA_ENQ_NEW ? "new" : "wakeup", se->pt.tid, c);
	struct sched_entity *curr = sc.cpu[c].curr;
	if (!curr) cpu_schedule(c);
	else if (sc.ops->check_preempt && sc.ops->check_preempt(&sc.inst, c, &curr->pt, &se->pt))
		sc.resched_mask |= 1ull << c;
	sched_flush();
}

/* The running task of c gives its CPU up and the next one is picked. */
void sched_switch(unsigned c, unsigned flags)
{
	sc.inst.now = sched_clock();
	if (!sc.cpu[c].curr) return;
	cpu_put(c, flags);
	cpu_schedule(c);
	sched_flush();
}

/* A running or queued task stops being runnable. */
void se_block(struct sched_entity *se, enum se_off why)
{
	sc.inst.now = sched_clock();
	if (se->state == SE_RUNNING) {
		se->off = why;
		sched_switch(se->pt.cpu, why == OFF_DEAD ? PERSONA_PUT_DEAD : PERSONA_PUT_BLOCK);
	} else if (se->state == SE_QUEUED) {
		se->held = false;
		se_dequeue(se, why == OFF_DEAD ? PERSONA_DEQ_DEAD : PERSONA_DEQ_SLEEP);
		se->off = why;
	} else {
		se->off = why == OFF_DEAD || se->off == OFF_DEAD ? OFF_DEAD : why;
	}
}

/* ---- task lifetime ---- */

static struct sched_entity *se_alloc(struct task *t)
{
	struct sched_entity *se = calloc(1, sizeof *se);
	if (!se) return NULL;
	se->task = t;
	se->stat_fd = se->schedstat_fd = -1;
	se->state = SE_OFF;
	se->off = OFF_NEW;
	se->pt.tid = task_vtid(t);
	se->pt.tgid = task_vpid(t);
	se->pt.comm = se->comm;
	se->pt.policy = PERSONA_SCHED_NORMAL;
	se->pt.weight = persona_sched_nice_to_weight[20];
	se->pt.cpus_allowed = online_mask();
	se->next_all = sc.all;
	sc.all = se;
	sc.nr_tasks++;
	t->se = se;
	sched_host_comm(se);
	return se;
}

static void se_free(struct sched_entity *se)
{
	for (struct sched_entity **p = &sc.all; *p; p = &(*p)->next_all)
		if (*p == se) { *p = se->next_all; break; }
	sc.nr_tasks--;
	sched_host_close(se);
	if (se->task) se->task->se = NULL;
	free(se);
}

static void copy_params(struct persona_sched_task *to, const struct persona_sched_task *from)
{
	to->policy = from->policy;
	to->nice = from->nice;
	to->rt_priority = from->rt_priority;
	to->weight = from->weight;
	to->dl_runtime = from->dl_runtime;
	to->dl_deadline = from->dl_deadline;
	to->dl_period = from->dl_period;
	to->cpus_allowed = from->cpus_allowed;
	to->cpu = from->cpu;
}

void sched_task_new(struct task *child, struct task *parent)
{
	if (!sc.active || child->kthread || child->se) return;
	struct sched_entity *se = se_alloc(child), *pse = parent ? parent->se : NULL;
	if (!se) { log_err("sched: out of memory for task %d", task_vtid(child)); return; }
	sc.inst.now = sched_clock();
	if (pse) {
		copy_params(&se->pt, &pse->pt);
		se->reset_on_fork = pse->reset_on_fork;
		memcpy(se->comm, pse->comm, sizeof se->comm);
		if (se->pt.policy == PERSONA_SCHED_DEADLINE) se->pt.policy = PERSONA_SCHED_NORMAL;
		if (pse->reset_on_fork) {	/* SCHED_RESET_ON_FORK: back to normal, nice >= 0 */
			if (se->pt.policy != PERSONA_SCHED_BATCH && se->pt.policy != PERSONA_SCHED_IDLE)
				se->pt.policy = PERSONA_SCHED_NORMAL;
			se->pt.rt_priority = 0;
			if (se->pt.nice < 0) se->pt.nice = 0;
			se->pt.weight = persona_sched_nice_to_weight[se->pt.nice + 20];
			se->reset_on_fork = false;
		}
		if (!(sc.ops->policies & PERSONA_POLICY_BIT(se->pt.policy))) {
			se->pt.policy = PERSONA_SCHED_NORMAL;
			se->pt.rt_priority = 0;
		}
	}
	/* a refusal moves every task, this one included (it is on sc.all), to rr */
	if (sc.ops->task_init && sc.ops->task_init(&sc.inst, &se->pt, pse ? &pse->pt : NULL))
		plugin_failed("task_init refused a new task");
}

void sched_task_start(struct task *t)
{
	sched_task_new(t, NULL);
	if (t->se) se_wake(t->se, PERSONA_ENQ_NEW);
}

void sched_task_exiting(struct task *t)
{
	if (t->se) se_block(t->se, OFF_DEAD);
}

void sched_task_gone(struct task *t)
{
	struct sched_entity *se = t->se;
	if (!se) return;
	se_block(se, OFF_DEAD);
	if (sc.ops->task_dead) sc.ops->task_dead(&sc.inst, &se->pt);
	sched_stats_record(se);
	se_free(se);
}

/* exec by a thread other than the leader: the leader's struct task continues as the
 * exec'ing thread (task_exec), so it takes that thread's entity. */
void sched_task_exec(struct task *thread, struct task *leader)
{
	if (thread == leader || !thread->se) return;
	if (leader->se) sched_task_gone(leader);
	leader->se = thread->se;
	leader->se->task = leader;
	thread->se = NULL;
	leader->se->pt.tid = task_vtid(leader);
}

void sched_task_block(struct task *t, enum se_off why)
{
	if (t->se) se_block(t->se, why);
}

void sched_task_will_block(struct task *t)
{
	struct sched_entity *se = t->se;
	if (!se || se->state != SE_RUNNING) return;
	se_block(se, OFF_NATIVE);
	se->enter_sleep = true;
	sched_host_watch(se);
}

/* ---- the gate ---- */

void sched_task_colocate(struct task *t)
{
	if (sc.active && t->se) sched_host_colocate(t->se);
}

bool sched_may_resume(struct task *t, int sig)
{
	struct sched_entity *se = t->se;
	if (!sc.active || !se) return true;
	/* any stop answers an interrupt in flight: ptrace(2) says another ptrace-stop
	 * arriving at the same time takes the PTRACE_EVENT_STOP's place */
	se->interrupted = false;
	switch (se->state) {
	case SE_RUNNING: {
		struct sched_cpu *cpu = &sc.cpu[se->pt.cpu];
		if (!cpu->need_resched) return true;
		unsigned flags = PERSONA_PUT_RUNNABLE | (se->yielding ? PERSONA_PUT_YIELD : PERSONA_PUT_PREEMPT);
		se->yielding = false;
		se->held = true;
		se->held_sig = sig;
		sc.gate = se;
		sched_switch(se->pt.cpu, flags);
		sc.gate = NULL;
		if (se->state == SE_RUNNING) { se->held = false; return true; }	/* picked again */
		return false;
	}
	case SE_QUEUED:	/* ran without a CPU (woke from a native sleep) and stopped: hold it */
		se->held = true;
		se->held_sig = sig;
		return false;
	case SE_OFF:
		if (se->off == OFF_DEAD) return true;	/* exiting: let it finish */
		if (se->enter_sleep) {	/* the resume into a syscall that will sleep */
			se->enter_sleep = false;
			return true;
		}
		se->held = true;
		se->held_sig = sig;
		sc.gate = se;
		se_wake(se, se->off == OFF_NEW ? PERSONA_ENQ_NEW : PERSONA_ENQ_WAKEUP);
		sc.gate = NULL;
		if (se->state == SE_RUNNING) { se->held = false; return true; }
		return false;
	}
	return true;
}

/* ---- parameters (the syscalls) ---- */

long sched_set_params(struct sched_entity *se, const struct persona_sched_attr *a, bool reset_on_fork)
{
	struct persona_sched_task *pt = &se->pt;
	bool queued = se->state == SE_QUEUED;
	long err;
	sc.inst.now = sched_clock();
	if (queued) sc.ops->dequeue(&sc.inst, pt, PERSONA_DEQ_MOVE);
	if (sc.ops->set_policy) err = sc.ops->set_policy(&sc.inst, pt, a);
	else err = sc.ops->policies & PERSONA_POLICY_BIT(a->policy) ? 0 : -EINVAL;
	if (err > 0 || err < -4095) err = -EINVAL;	/* garbage from the plugin */
	if (!err) {
		pt->policy = a->policy;
		pt->nice = a->nice;
		/* SCHED_IDLE: Linux's WEIGHT_IDLEPRIO */
		pt->weight = a->policy == PERSONA_SCHED_IDLE ? 3 : persona_sched_nice_to_weight[a->nice + 20];
		pt->rt_priority = a->rt_priority;
		pt->dl_runtime = a->dl_runtime;
		pt->dl_deadline = a->dl_deadline;
		pt->dl_period = a->dl_period;
		se->reset_on_fork = reset_on_fork;
	}
	if (queued) {
		sc.ops->enqueue(&sc.inst, pt, PERSONA_ENQ_MOVE);
		struct sched_entity *curr = sc.cpu[pt->cpu].curr;
		if (!err && curr && sc.ops->check_preempt &&
		    sc.ops->check_preempt(&sc.inst, pt->cpu, &curr->pt, pt))
			sc.resched_mask |= 1ull << pt->cpu;
	} else if (se->state == SE_RUNNING && !err) {
		sc.resched_mask |= 1ull << pt->cpu;	/* a priority change is a scheduling point */
	}
	sched_flush();
	return err;
}

void sched_set_affinity(struct sched_entity *se, uint64_t mask)
{
	se->pt.cpus_allowed = mask;
	sc.inst.now = sched_clock();
	if (se->state == SE_QUEUED && !(mask >> se->pt.cpu & 1)) {
		se_replace(se);
	} else if (se->state == SE_RUNNING && !(mask >> se->pt.cpu & 1)) {
		sc.resched_mask |= 1ull << se->pt.cpu;	/* it leaves at the gate (cpu_put) */
	}
	sched_flush();
}

/* ---- the tick (scheduler_tick) ---- */

static void plugin_tick(unsigned c, uint64_t delta)
{
	struct sched_entity *se = sc.cpu[c].curr;
	bool preempt;
	if (sc.ops->tick) preempt = sc.ops->tick(&sc.inst, &se->pt, c, delta);
	else preempt = se->pt.slice_exec >= PERSONA_SCHED_DEFAULT_SLICE_NS;
	if (preempt) sc.resched_mask |= 1ull << c;
}

void sched_tick(void)
{
	if (!sc.active) return;
	sc.inst.now = sched_clock();
	sc.ticks++;
	for (unsigned c = 0; c < sc.ncpus; c++) {
		struct sched_entity *se = sc.cpu[c].curr;
		if (!se) continue;
		uint64_t delta = sched_host_account(se);
		sched_host_colocate_check(se);
		if (sched_host_sleeping(se, delta)) {	/* blocked in a native syscall */
			se_block(se, OFF_NATIVE);
			sched_host_watch(se);
			continue;
		}
		plugin_tick(c, delta);
	}
	sched_host_poll_sleepers();	/* native sleepers that woke re-enter the queue */
	sched_watchdog();
	sched_flush();
}

/* sched_yield: the plugin hears of it, then the gate switches */
void sched_yield_task(struct task *t)
{
	struct sched_entity *se = t->se;
	if (!se || se->state != SE_RUNNING) return;
	sc.inst.now = sched_clock();
	if (sc.ops->yield) sc.ops->yield(&sc.inst, &se->pt);
	se->yielding = true;
	sc.cpu[se->pt.cpu].need_resched = true;
}

/* A CPU idles while a task allowed on it has waited this long: the plugin lost it */
#define WATCHDOG_NS (5ull * 1000000000ull)

void sched_watchdog(void)
{
	for (struct sched_entity *se = sc.all; se; se = se->next_all) {
		/* a deadline task may wait, throttled, until its next period */
		if (se->state != SE_QUEUED || !se->wait_start || se->pt.policy == PERSONA_SCHED_DEADLINE ||
		    sc.inst.now - se->wait_start < WATCHDOG_NS)
			continue;
		uint64_t idle = idle_mask() & se->pt.cpus_allowed;
		bool idled_long = false;
		for (unsigned c = 0; c < sc.ncpus; c++)
			if ((idle >> c & 1) && sc.cpu[c].idle_since &&
			    sc.inst.now - sc.cpu[c].idle_since >= WATCHDOG_NS)
				idled_long = true;
		if (idled_long) {
			char why[128];
			snprintf(why, sizeof why, "task %d waited %.1f s while a CPU idled",
				 se->pt.tid, (double)(sc.inst.now - se->wait_start) / 1e9);
			plugin_failed(why);
			return;
		}
	}
}

/* ---- plugin changes ---- */

/* Moves every task from the current plugin to `to`. `trust_old`: the old plugin may
 * be called to let its tasks go (false when it is the one that failed). */
static void move_tasks(const struct persona_sched_ops *to, bool trust_old)
{
	const struct persona_sched_ops *from = sc.ops;
	for (struct sched_entity *se = sc.all; se; se = se->next_all) {
		if (se->state == SE_QUEUED && trust_old) from->dequeue(&sc.inst, &se->pt, PERSONA_DEQ_MOVE);
		if (trust_old && from->task_dead) from->task_dead(&sc.inst, &se->pt);
	}
	if (trust_old && from->exit) from->exit(&sc.inst);
	inst_reset();
	sc.ops = to;
	if (to->init && to->init(&sc.inst)) log_err("sched: %s init failed", to->name);
	unsigned moved = 0, queued = 0;
	bool refused = false;
	for (struct sched_entity *se = sc.all; se; se = se->next_all) {
		se->pt.priv = NULL;
		memset(se->pt.data, 0, sizeof se->pt.data);
		se->pt.slice_ns = 0;
		if (!(to->policies & PERSONA_POLICY_BIT(se->pt.policy))) {
			se->pt.policy = PERSONA_SCHED_NORMAL;
			se->pt.rt_priority = 0;
			se->pt.dl_runtime = se->pt.dl_deadline = se->pt.dl_period = 0;
		}
		if (to->task_init && to->task_init(&sc.inst, &se->pt, NULL)) refused = true;
		moved++;
		if (se->state == SE_QUEUED) {
			to->enqueue(&sc.inst, &se->pt, PERSONA_ENQ_MOVE);
			queued++;
		}
	}
	DBG(DBG_SCHED, "moved %u tasks (%u queued) to %s", moved, queued, to->name);
	sc.swaps++;
	if (refused && to != SCHED_SAFE_PLUGIN) {	/* its state is incomplete: not usable */
		log_err("sched: plugin %s refused a task; falling back to %s", to->name, SCHED_SAFE_PLUGIN->name);
		move_tasks(SCHED_SAFE_PLUGIN, false);
		sc.fallbacks++;
	}
}

static void plugin_failed(const char *why)
{
	if (sc.failing) return;
	sc.failing = true;
	log_err("sched: plugin %s misbehaved (%s); falling back to %s", sc.ops->name, why,
		SCHED_SAFE_PLUGIN->name);
	sched_trace_instant(~0u, "plugin failed", NULL, sc.inst.now);
	move_tasks(SCHED_SAFE_PLUGIN, false);
	sc.failing = false;
	sc.fallbacks++;
	sc.resched_mask = online_mask();	/* every CPU picks again under the new plugin */
}

int sched_swap(const char *name, char *msg, size_t len)
{
	char err[1024];
	if (!sc.active) { snprintf(msg, len, "the scheduler is off"); return -EINVAL; }
	const struct persona_sched_ops *to = sched_plugin_load(name, err, sizeof err);
	if (!to) { snprintf(msg, len, "%s", err); return -ENOENT; }
	const char *from = sc.ops->name;
	unsigned before = sc.nr_tasks, queued = sc.nr_queued;
	sc.inst.now = sched_clock();
	move_tasks(to, true);
	sched_trace_instant(~0u, "swap", NULL, sc.inst.now);
	snprintf(msg, len, "sched: %s -> %s, %u tasks moved (%u queued)", from, to->name, before, queued);
	sc.resched_mask = online_mask();
	sched_flush();
	return 0;
}

/* ---- start and stop ---- */

int sched_init(const struct sched_options *o)
{
	char err[1024];
	if (o->off) return 0;
	long host = sysconf(_SC_NPROCESSORS_ONLN);
	sc.nhost = host > 0 ? (unsigned)host : 1;
	sc.ncpus = o->ncpus ? o->ncpus : sc.nhost;
	if (sc.ncpus > PERSONA_SCHED_MAX_CPUS) {
		log_err("--cpus: at most %d virtual CPUs", PERSONA_SCHED_MAX_CPUS);
		return -EINVAL;
	}
	sc.hz = o->hz;
	sc.ops = sched_plugin_load(o->plugin ? o->plugin : "cfs", err, sizeof err);
	if (!sc.ops) {
		log_err("--sched: %s", err);
		return -EINVAL;
	}
	inst_reset();
	if (sc.ops->init && sc.ops->init(&sc.inst)) {
		log_err("--sched: plugin %s refused to start", sc.ops->name);
		return -EINVAL;
	}
	if (o->trace_file) {
		int e = sched_trace_open(o->trace_file, sc.ncpus);
		if (e) { log_err("--sched-trace %s: %s", o->trace_file, strerror(-e)); return e; }
	}
	sc.active = true;
	sched_host_init(o);
	DBG(DBG_SCHED, "plugin %s on %u virtual CPUs, %u Hz", sc.ops->name, sc.ncpus, sc.hz);
	return 0;
}

void sched_shutdown(void)
{
	if (!sc.active) return;
	sc.inst.now = sched_clock();
	for (unsigned c = 0; c < sc.ncpus; c++)
		if (sc.cpu[c].curr) cpu_put(c, PERSONA_PUT_DEAD);
	while (sc.all) {
		struct sched_entity *se = sc.all;
		if (se->state == SE_QUEUED) se_dequeue(se, PERSONA_DEQ_DEAD);
		if (sc.ops->task_dead) sc.ops->task_dead(&sc.inst, &se->pt);
		se_free(se);
	}
	if (sc.ops->exit) sc.ops->exit(&sc.inst);
	sched_trace_close();
	sc.active = false;
}

void sched_task_renamed(struct task *t)
{
	if (t->se) sched_host_comm(t->se);
}

void sched_task_named(struct task *t, const char *comm)
{
	if (t->se) snprintf(t->se->comm, sizeof t->se->comm, "%s", comm);
}
