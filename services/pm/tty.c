/* services/pm/tty.c - process ids in terminal job control (TIOCSPGRP, TIOCGPGRP,
 * TIOCGSID), in file ownership (F_SETOWN...) and in socket peer credentials. Only
 * these requests are trapped (the filter compares the request argument). */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include "services/pm/pm.h"
#include "core/guest_mem.h"
#include "core/pidmap.h"
#include "core/task.h"

/* Exit hook: the int at guest address data[0] holds a host id; make it virtual */
static long id_out_exit(struct sysreq *r, long ret)
{
	int id;
	if (ret < 0 || copy_from_guest(r->task->tid, &id, r->data[0], sizeof id)) return ret;
	id = pidmap_to_virt(id);
	copy_to_guest(r->task->tid, r->data[0], &id, sizeof id);
	return ret;
}

long sys_ioctl(struct sysreq *r, int fd, unsigned cmd, gaddr_t arg)
{
	int id;
	switch (cmd) {
	case TIOCSPGRP: {
		if (copy_from_guest(r->task->tid, &id, arg, sizeof id)) return -EFAULT;
		if (id < 0) return -EINVAL;
		struct pidnum *g = pidmap_by_virt(id);
		if (!g) return -ESRCH;	/* tiocspgrp(): no such process group */
		gaddr_t copy = sysreq_push(r, &g->host, sizeof g->host);
		if (!copy) return -EFAULT;
		sysreq_set_arg(r, 2, copy);
		return SYSRET_NATIVE;
	}
	case TIOCGPGRP: case TIOCGSID:
		r->data[0] = arg;
		sysreq_on_exit(r, id_out_exit);
		return SYSRET_NATIVE;
	}
	return SYSRET_NATIVE;
}

static long owner_exit(struct sysreq *r, long ret)
{
	/* F_GETOWN: a pid, or a negated process group, which Linux's ABI cannot tell from
	 * an errno when small (glibc uses F_GETOWN_EX); translate the unambiguous ones */
	if (ret > 0) return pidmap_to_virt((pid_t)ret);
	if (ret < -4095) return -(long)pidmap_to_virt((pid_t)-ret);
	return ret;
}

static long owner_ex_exit(struct sysreq *r, long ret)
{
	struct f_owner_ex o;
	if (ret < 0 || copy_from_guest(r->task->tid, &o, r->data[0], sizeof o)) return ret;
	o.pid = pidmap_to_virt(o.pid);
	copy_to_guest(r->task->tid, r->data[0], &o, sizeof o);
	return ret;
}

/* F_GETLK reports the pid of the process holding a conflicting lock */
static long getlk_exit(struct sysreq *r, long ret)
{
	struct flock fl;
	if (ret < 0 || copy_from_guest(r->task->tid, &fl, r->data[0], sizeof fl)) return ret;
	if (fl.l_type == F_UNLCK || fl.l_pid <= 0) return ret;
	fl.l_pid = pidmap_to_virt(fl.l_pid);
	copy_to_guest(r->task->tid, r->data[0], &fl, sizeof fl);
	return ret;
}

long sys_fcntl(struct sysreq *r, int fd, int cmd, unsigned long arg)
{
	switch (cmd) {
	case F_GETLK:
		r->data[0] = arg;
		sysreq_on_exit(r, getlk_exit);
		return SYSRET_NATIVE;
	case F_SETOWN: {
		int id = (int)arg;
		if (id == 0) return SYSRET_NATIVE;
		if (id == INT_MIN) return -EINVAL;	/* as f_setown() */
		struct pidnum *p = pidmap_by_virt(id < 0 ? -id : id);
		if (!p) return -ESRCH;
		sysreq_set_arg(r, 2, (uint64_t)(long)(id < 0 ? -p->host : p->host));
		return SYSRET_NATIVE;
	}
	case F_GETOWN:
		sysreq_on_exit(r, owner_exit);
		return SYSRET_NATIVE;
	case F_SETOWN_EX: {
		struct f_owner_ex o;
		if (copy_from_guest(r->task->tid, &o, arg, sizeof o)) return -EFAULT;
		if (o.pid == 0) return SYSRET_NATIVE;
		struct pidnum *p = pidmap_by_virt(o.pid);
		if (!p) return -ESRCH;
		o.pid = p->host;
		gaddr_t copy = sysreq_push(r, &o, sizeof o);
		if (!copy) return -EFAULT;
		sysreq_set_arg(r, 2, copy);
		return SYSRET_NATIVE;
	}
	case F_GETOWN_EX:
		r->data[0] = arg;
		sysreq_on_exit(r, owner_ex_exit);
		return SYSRET_NATIVE;
	}
	return SYSRET_NATIVE;
}

static long peercred_exit(struct sysreq *r, long ret)
{
	struct ucred c;
	if (ret < 0 || copy_from_guest(r->task->tid, &c, r->data[0], sizeof c)) return ret;
	c.pid = pidmap_to_virt(c.pid);
	copy_to_guest(r->task->tid, r->data[0], &c, sizeof c);
	return ret;
}

long sys_getsockopt(struct sysreq *r, int fd, int level, int name, gaddr_t val, gaddr_t len)
{
	if (level != SOL_SOCKET || name != SO_PEERCRED) return SYSRET_NATIVE;
	r->data[0] = val;
	sysreq_on_exit(r, peercred_exit);
	return SYSRET_NATIVE;
}
