/* mpesa_int.h - what the M-Pesa client's files share and nobody else sees:
 * the error builder and field readers for Daraja's JSON. */
#ifndef ISP_MPESA_INT_H
#define ISP_MPESA_INT_H

#include <stddef.h>

#include <yajl/yajl_tree.h>

#include "lib/mpesa/mpesa.h"

/* Reset err (when not NULL), set code, field (NULL: "") and a message, and
 * return code. */
int mp_fail(struct mpesa_error *err, enum mpesa_code code, const char *field,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Copy the string or number at obj.key into dst (n bytes) whole: an
 * identifier is never cut.  Missing or null: "" and MPESA_OK unless
 * required.  MPESA_EPARSE naming key when required and missing, of
 * another type, holding a control character or longer than n - 1. */
int mp_take_id(yajl_val obj, const char *key, char *dst, size_t n, int required,
    struct mpesa_error *err);
/* Copy text whole into dst (n bytes): MPESA_EPARSE naming field when it is
 * longer than n - 1 or holds a control character. */
int mp_copy_id(const char *field, const char *text, char *dst, size_t n,
    struct mpesa_error *err);
/* Copy the string or number at obj.key into dst, cut at a character
 * boundary when longer; "" when missing or of another type. */
void mp_take_text(yajl_val obj, const char *key, char *dst, size_t n);

/* 1 when s holds no byte below 0x20 and no DEL. */
int mp_no_ctl(const char *s);
/* 1 when code is one or more '0' digits ("0", "00000000"). */
int mp_zero_code(const char *code);

#endif
