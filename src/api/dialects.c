/* dialects.c - the dialect registry. */
#include "config.h"
#include "api/dialects.h"

#include <string.h>

static const struct dialect *const all[] = {
	&dialect_native, &dialect_bitwave, &dialect_netflow, &dialect_ktl, &dialect_mikrobill,
};

const struct dialect *
dialect_find(const char *name)
{
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}
