/* services/trace/decode_ioctl.c - ioctl(2): request names (strace's, with its
 * "A or B" for colliding numbers), _IOC(...) for unknown ones, and the terminal
 * and generic requests whose argument strace decodes (term.c, ioctl.c). */
#include "services/trace/decode_internal.h"

#define ARG(c, i) ((c)->a[i])
#define NARGS(c) ((c)->d->nargs)

XTAB(tx_ioctl_cmd, NULL,
     XN(0x5401, "TCGETS"), XN(0x5402, "SNDCTL_TMR_START or TCSETS"),
     XN(0x5403, "SNDCTL_TMR_STOP or TCSETSW"), XN(0x5404, "SNDCTL_TMR_CONTINUE or TCSETSF"),
     XN(0x5405, "TCGETA"), XN(0x5406, "TCSETA"), XN(0x5407, "TCSETAW"), XN(0x5408, "TCSETAF"),
     XN(0x5409, "TCSBRK"), XN(0x540a, "TCXONC"), XN(0x540b, "TCFLSH"), XN(0x540c, "TIOCEXCL"),
     XN(0x540d, "TIOCNXCL"), XN(0x540e, "TIOCSCTTY"), XN(0x540f, "TIOCGPGRP"),
     XN(0x5410, "TIOCSPGRP"), XN(0x5411, "TIOCOUTQ"), XN(0x5412, "TIOCSTI"),
     XN(0x5413, "TIOCGWINSZ"), XN(0x5414, "TIOCSWINSZ"), XN(0x5415, "TIOCMGET"),
     XN(0x5416, "TIOCMBIS"), XN(0x5417, "TIOCMBIC"), XN(0x5418, "TIOCMSET"),
     XN(0x5419, "TIOCGSOFTCAR"), XN(0x541a, "TIOCSSOFTCAR"), XN(0x541b, "FIONREAD"),
     XN(0x541c, "TIOCLINUX"), XN(0x541d, "TIOCCONS"), XN(0x541e, "TIOCGSERIAL"),
     XN(0x541f, "TIOCSSERIAL"), XN(0x5420, "TIOCPKT"), XN(0x5421, "FIONBIO"),
     XN(0x5422, "TIOCNOTTY"), XN(0x5423, "TIOCSETD"), XN(0x5424, "TIOCGETD"),
     XN(0x5425, "TCSBRKP"), XN(0x5427, "TIOCSBRK"), XN(0x5428, "TIOCCBRK"),
     XN(0x5429, "TIOCGSID"), XN(0x802c542a, "TCGETS2"), XN(0x402c542b, "TCSETS2"),
     XN(0x402c542c, "TCSETSW2"), XN(0x402c542d, "TCSETSF2"), XN(0x80045430, "TIOCGPTN"),
     XN(0x40045431, "TIOCSPTLCK"), XN(0x80045432, "TIOCGDEV"), XN(0x5436, "TIOCVHANGUP"),
     XN(0x80045438, "TIOCGPKT"), XN(0x80045439, "TIOCGPTLCK"), XN(0x80045440, "TIOCGEXCL"),
     XN(0x5441, "TIOCGPTPEER"), XN(0x5450, "FIONCLEX"), XN(0x5451, "FIOCLEX"),
     XN(0x5452, "FIOASYNC"), XN(0x5453, "TIOCSERCONFIG"), XN(0x5454, "TIOCSERGWILD"),
     XN(0x5455, "TIOCSERSWILD"), XN(0x5456, "TIOCGLCKTRMIOS"), XN(0x5457, "TIOCSLCKTRMIOS"),
     XN(0x545c, "TIOCMIWAIT"), XN(0x545d, "TIOCGICOUNT"), XN(0x5460, "FIOQSIZE"),
     XN(0x1, "FIBMAP"), XN(0x2, "FIGETBSZ"), XN(0xc0045877, "FIFREEZE"),
     XN(0xc0045878, "FITHAW"), XN(0x40049409, "BTRFS_IOC_CLONE or FICLONE"),
     XN(0x4020940d, "BTRFS_IOC_CLONE_RANGE or FICLONERANGE"),
     XN(0xc0189436, "BTRFS_IOC_FILE_EXTENT_SAME or FIDEDUPERANGE"),
     XN(0x80086601, "FS_IOC_GETFLAGS"), XN(0x40086602, "FS_IOC_SETFLAGS"),
     XN(0x80087601, "FS_IOC_GETVERSION"), XN(0x40087602, "FS_IOC_SETVERSION"),
     XN(0xc020660b, "FS_IOC_FIEMAP"), XN(0x801c581f, "FS_IOC_FSGETXATTR"),
     XN(0x401c5820, "FS_IOC_FSSETXATTR"), XN(0x80081272, "BLKGETSIZE64"),
     XN(0x1260, "BLKGETSIZE"), XN(0x1268, "BLKSSZGET"), XN(0x127b, "BLKPBSZGET"),
     XN(0x8910, "SIOCGIFNAME"), XN(0x8912, "SIOCGIFCONF"), XN(0x8913, "SIOCGIFFLAGS"),
     XN(0x8914, "SIOCSIFFLAGS"), XN(0x8915, "SIOCGIFADDR"), XN(0x8921, "SIOCGIFMTU"),
     XN(0x8927, "SIOCGIFHWADDR"), XN(0x8933, "SIOCGIFINDEX"), XN(0x80045200, "RNDGETENTCNT"),
     XN(0x400454ca, "TUNSETIFF"), XN(0x800454d2, "TUNGETIFF"));

XTAB(tx_term_iflags, NULL, XN(01, "IGNBRK"), XN(02, "BRKINT"), XN(04, "IGNPAR"),
     XN(010, "PARMRK"), XN(020, "INPCK"), XN(040, "ISTRIP"), XN(0100, "INLCR"),
     XN(0200, "IGNCR"), XN(0400, "ICRNL"), XN(01000, "IUCLC"), XN(02000, "IXON"),
     XN(04000, "IXANY"), XN(010000, "IXOFF"), XN(020000, "IMAXBEL"), XN(040000, "IUTF8"));
XTAB(tx_term_oflags, NULL, XN(01, "OPOST"), XN(02, "OLCUC"), XN(04, "ONLCR"),
     XN(010, "OCRNL"), XN(020, "ONOCR"), XN(040, "ONLRET"), XN(0100, "OFILL"),
     XN(0200, "OFDEL"));
XTAB(tx_term_cflags, NULL, XN(0100, "CSTOPB"), XN(0200, "CREAD"), XN(0400, "PARENB"),
     XN(01000, "PARODD"), XN(02000, "HUPCL"), XN(04000, "CLOCAL"),
     XN(010000000000, "CMSPAR"), XN(020000000000, "CRTSCTS"));
XTAB(tx_term_lflags, NULL, XN(01, "ISIG"), XN(02, "ICANON"), XN(04, "XCASE"),
     XN(010, "ECHO"), XN(020, "ECHOE"), XN(040, "ECHOK"), XN(0100, "ECHONL"),
     XN(0200, "NOFLSH"), XN(0100000, "IEXTEN"), XN(01000, "ECHOCTL"), XN(02000, "ECHOPRT"),
     XN(04000, "ECHOKE"), XN(010000, "FLUSHO"), XN(040000, "PENDIN"), XN(0400, "TOSTOP"),
     XN(0200000, "EXTPROC"));
XTAB(tx_baud, "B???", XN(0, "B0"), XN(1, "B50"), XN(2, "B75"), XN(3, "B110"), XN(4, "B134"),
     XN(5, "B150"), XN(6, "B200"), XN(7, "B300"), XN(010, "B600"), XN(011, "B1200"),
     XN(012, "B1800"), XN(013, "B2400"), XN(014, "B4800"), XN(015, "B9600"),
     XN(016, "B19200"), XN(017, "B38400"), XN(010000, "BOTHER"), XN(010001, "B57600"),
     XN(010002, "B115200"), XN(010003, "B230400"), XN(010004, "B460800"),
     XN(010005, "B500000"), XN(010006, "B576000"), XN(010007, "B921600"),
     XN(010010, "B1000000"), XN(010011, "B1152000"), XN(010012, "B1500000"),
     XN(010013, "B2000000"), XN(010014, "B2500000"), XN(010015, "B3000000"),
     XN(010016, "B3500000"), XN(010017, "B4000000"));
XTAB(tx_tcflsh, "TC???", XN(0, "TCIFLUSH"), XN(1, "TCOFLUSH"), XN(2, "TCIOFLUSH"));
XTAB(tx_tcxonc, "TC???", XN(0, "TCOOFF"), XN(1, "TCOON"), XN(2, "TCIOFF"), XN(3, "TCION"));

static const char *const cc_names[] = { "VINTR", "VQUIT", "VERASE", "VKILL", "VEOF", "VTIME",
	"VMIN", "VSWTC", "VSTART", "VSTOP", "VSUSP", "VEOL", "VREPRINT", "VDISCARD",
	"VWERASE", "VLNEXT", "VEOL2" };

/* NL0|CR0|TAB0|BS0|VT0|FF0|OPOST|ONLCR */
static void term_oflag(struct strbuf *sb, uint32_t v)
{
	static const struct { uint32_t mask, shift; const char *name; unsigned max; } dly[] = {
		{ 0400, 8, "NL", 1 }, { 03000, 9, "CR", 3 }, { 014000, 11, "TAB", 3 },
		{ 020000, 13, "BS", 1 }, { 040000, 14, "VT", 1 }, { 0100000, 15, "FF", 1 },
	};
	for (unsigned k = 0; k < NELEM(dly); k++) {
		strbuf_addf(sb, "%s%u|", dly[k].name, (v & dly[k].mask) >> dly[k].shift);
		v &= ~dly[k].mask;
	}
	tdec_flags(sb, &tx_term_oflags, v);
}

/* B38400|CS8|CREAD */
static void term_cflag(struct strbuf *sb, uint32_t v)
{
	tdec_xval(sb, &tx_baud, v & 010017, false);
	strbuf_addc(sb, '|');
	if (v & (010017u << 16)) {
		tdec_xval(sb, &tx_baud, (v >> 16) & 010017, false);
		strbuf_adds(sb, "<<IBSHIFT|");
	}
	strbuf_addf(sb, "CS%u|", 5 + ((v & 060) >> 4));
	tdec_flags(sb, &tx_term_cflags, v & ~(010017u | (010017u << 16) | 060u));
}

static void termios(struct dctx *c, uint64_t addr)
{
	struct { uint32_t iflag, oflag, cflag, lflag; uint8_t line, cc[19]; } t;
	if (!tdec_fetch(c, addr, &t, sizeof t)) return;
	struct strbuf *sb = c->sb;
	strbuf_adds(sb, "{c_iflag=");
	tdec_flags(sb, &tx_term_iflags, t.iflag);
	strbuf_adds(sb, ", c_oflag=");
	term_oflag(sb, t.oflag);
	strbuf_adds(sb, ", c_cflag=");
	term_cflag(sb, t.cflag);
	strbuf_adds(sb, ", c_lflag=");
	tdec_flags(sb, &tx_term_lflags, t.lflag);
	if (!c->o->verbose) {
		strbuf_adds(sb, ", ...}");
		return;
	}
	if (t.line) strbuf_addf(sb, ", c_line=%#x /* N_??? */, c_cc=[", t.line);
	else strbuf_adds(sb, ", c_line=N_TTY, c_cc=[");
	for (unsigned k = 0; k < sizeof t.cc; k++) {
		if (k) strbuf_adds(sb, ", ");
		if (k < NELEM(cc_names)) strbuf_addf(sb, "[%s]=%#x", cc_names[k], t.cc[k]);
		else strbuf_addf(sb, "[%u]=%#x", k, t.cc[k]);
	}
	strbuf_adds(sb, "]}");
}

static void winsize(struct dctx *c, uint64_t addr)
{
	uint16_t w[4];
	if (tdec_fetch(c, addr, w, sizeof w))
		strbuf_addf(c->sb, "{ws_row=%u, ws_col=%u, ws_xpixel=%u, ws_ypixel=%u}", w[0], w[1],
			    w[2], w[3]);
}

static void int_ptr(struct dctx *c, uint64_t addr)
{
	int v;
	if (tdec_fetch(c, addr, &v, sizeof v)) strbuf_addf(c->sb, "[%d]", v);
}

/* how a request's argument prints */
enum { IO_HEX, IO_NONE, IO_INT, IO_TERMIOS, IO_WINSIZE, IO_INTPTR, IO_FD, IO_TCFLSH, IO_TCXONC };

static int arg_kind(unsigned cmd, bool *out)
{
	*out = false;
	switch (cmd) {
	case 0x5401: case 0x5456: *out = true; return IO_TERMIOS;
	case 0x5402: case 0x5403: case 0x5404: case 0x5457: return IO_TERMIOS;
	case 0x5413: *out = true; return IO_WINSIZE;
	case 0x5414: return IO_WINSIZE;
	case 0x540f: case 0x5429: case 0x5424: case 0x5419: case 0x80045430: case 0x541b:
	case 0x5411: case 0x80045440: case 0x80045432:
		*out = true;
		return IO_INTPTR;
	case 0x5410: case 0x5423: case 0x5421: case 0x5452: case 0x5420: case 0x541a:
	case 0x40045431:
		return IO_INTPTR;
	case 0x5409: case 0x5425: case 0x540e: return IO_INT;
	case 0x540b: return IO_TCFLSH;
	case 0x540a: return IO_TCXONC;
	case 0x5427: case 0x5428: case 0x541d: case 0x5422: case 0x540c: case 0x540d:
	case 0x5451: case 0x5450: case 0x5436: case 0x541f:
		return IO_NONE;
	case 0x40049409: return IO_FD;
	}
	return IO_HEX;
}

static void ioctl_arg(struct dctx *c, int kind, uint64_t arg)
{
	strbuf_adds(c->sb, ", ");
	switch (kind) {
	case IO_TERMIOS: termios(c, arg); break;
	case IO_WINSIZE: winsize(c, arg); break;
	case IO_INTPTR: int_ptr(c, arg); break;
	case IO_INT: strbuf_addf(c->sb, "%d", (int)arg); break;
	case IO_FD: tdec_fd(c, (int)arg); break;
	case IO_TCFLSH: tdec_xval(c->sb, &tx_tcflsh, arg, false); break;
	case IO_TCXONC: tdec_xval(c->sb, &tx_tcxonc, arg, false); break;
	default: strbuf_addf(c->sb, "%#llx", (unsigned long long)arg);
	}
}

/* _IOC(_IOC_READ, 0x54, 0x99, 0x8) */
static void ioc_code(struct strbuf *sb, unsigned cmd)
{
	static const char *dirs[] = { "_IOC_NONE", "_IOC_WRITE", "_IOC_READ",
				      "_IOC_READ|_IOC_WRITE" };
	strbuf_addf(sb, "_IOC(%s, %#x, %#x, %#x)", dirs[cmd >> 30], (cmd >> 8) & 0xff, cmd & 0xff,
		    (cmd >> 16) & 0x3fff);
}

int tc_ioctl(struct dctx *c, int i)
{
	unsigned cmd = (unsigned)ARG(c, i);
	uint64_t arg = ARG(c, i + 1);
	bool out;
	int kind = arg_kind(cmd, &out);
	if (c->exiting) {
		c->out = true;
		if (kind == IO_TERMIOS) termios(c, arg);
		else if (kind == IO_WINSIZE) winsize(c, arg);
		else int_ptr(c, arg);
		return NARGS(c);
	}
	const char *name = tdec_xname(&tx_ioctl_cmd, cmd);
	if (name) strbuf_adds(c->sb, name);
	else ioc_code(c->sb, cmd);
	if (out) {
		strbuf_adds(c->sb, ", ");
		c->stop = true;
		return i + 1;
	}
	if (kind != IO_NONE) ioctl_arg(c, kind, arg);
	return NARGS(c);
}
