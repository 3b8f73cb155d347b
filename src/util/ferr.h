/* ferr.h - field errors: which input field is wrong and why, collected by
 * whoever validates and written by the dialect's error envelope. */
#ifndef ISP_FERR_H
#define ISP_FERR_H

#define MAX_FIELD_ERRS 32

struct field_err {
	const char *field;
	const char *msg;
};

struct ferrs {
	struct field_err e[MAX_FIELD_ERRS];
	int n;
};

static inline void
ferr_add(struct ferrs *fe, const char *field, const char *msg)
{
	if (fe->n < MAX_FIELD_ERRS) {
		fe->e[fe->n].field = field;
		fe->e[fe->n].msg = msg;
		fe->n++;
	}
}

#endif
