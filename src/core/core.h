/* core.h - what every core function answers: done, a rule the caller broke,
 * or a database failure.  The dialects turn these into statuses. */
#ifndef ISP_CORE_H
#define ISP_CORE_H

enum core_rc {
	CORE_DB = -1,           /* database failure: details in db->err / db->errmsg */
	CORE_OK = 0,
	CORE_NOT_FOUND,         /* no such object in the caller's tenant */
	CORE_INVALID,           /* field errors were added */
	CORE_CONFLICT,          /* a unique value is taken, or state forbids it */
	CORE_FORBIDDEN,         /* the caller may not do this to this object */
	CORE_BAD_LOGIN,         /* wrong login or password */
	CORE_INACTIVE,          /* the account is disabled */
	CORE_THROTTLED,         /* too many attempts; retry_after says when */
};

/* The tenant's data versions, "entity:v,..." (sql/007), as a column of a
 * query whose tenant id is the SQL expression T. */
#define CORE_VERSIONS_OF(T) "(SELECT GROUP_CONCAT(dv.entity, ':', dv.v SEPARATOR ',') " \
	"FROM data_versions dv WHERE dv.tenant_id = " T ")"

#endif
