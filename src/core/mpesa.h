/* mpesa.h - M-Pesa and SMS in the core: each tenant's settings, the
 * shared Daraja token, STK pushes for a plan or an invoice, the callback
 * and C2B that complete them exactly once, the sweep that resolves lost
 * callbacks, SMS receipts and reminders, and the figures of 000's
 * transactions, summary and dashboard. */
#ifndef ISP_CORE_MPESA_H
#define ISP_CORE_MPESA_H

#include "core/settings.h"

extern const struct settings_table mpesa_settings_table;
extern const struct settings_table sms_settings_table;

struct db;
struct arena;

/* The unguessable part of the tenant's callback URL (the row is made when
 * missing): /api/mpesa/callback/{secret}/.  NULL on a database error. */
const char *mpesa_callback_secret(struct db *db, struct arena *a, long long tenant);

#endif
